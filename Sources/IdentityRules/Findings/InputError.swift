/// Why an input cannot be used: a path that does not exist, a file that cannot be read or written, or YAML that
/// does not parse, with the place when there is one.
///
/// A value, not a crash: the loader records it and goes on with the other files, and a ``FindingReport`` carries
/// it beside the findings, so that every output format reports it (exit status 2, README "Offline check").
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: String, Sendable, Hashable {
        case notFound
        case unreadable
        case syntax
        case unwritable
    }

    public var reason: Reason
    /// The file as named in output (`stdin` for standard input).
    public var file: String
    public var position: SourcePosition?
    public var message: String

    public init(_ reason: Reason, file: String, position: SourcePosition? = nil, message: String) {
        self.reason = reason
        self.file = file
        self.position = position
        self.message = message
    }

    /// `FILE:LINE:COLUMN: MESSAGE`, or `FILE: MESSAGE` without a position.
    public var description: String {
        guard let position else { return "\(file): \(message)" }
        return "\(file):\(position.line):\(position.column): \(message)"
    }
}
