/// A JSON Patch that cannot be read or applied.
public struct JSONPatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "JSON Patch: \(reason)" }
}
