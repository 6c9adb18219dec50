/// A certificate or key identity-guard cannot serve with, and what to do about it.
public struct ServingCertificateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        case unreadable
        case invalidCertificate
        case invalidPrivateKey
        case keyMismatch
        case generationFailed
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
