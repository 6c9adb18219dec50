/// A Kubernetes API call that did not give us what we need, with what to do about it.
public struct KubernetesError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// The resource does not exist: for a CRD-backed kind, the CRD is not installed.
        case notFound
        /// `410 Gone`: the resourceVersion or continue token expired; list again.
        case gone
        case unauthorized
        case forbidden
        case httpStatus(Int)
        case transport
        case malformedResponse
        case configuration
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
