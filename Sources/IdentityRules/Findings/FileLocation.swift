/// Where something was written: a file and a line and column in it.
///
/// What a finding about a document read from a file has, and a finding about an object read from a cluster does
/// not: reports print `FILE:LINE:COLUMN` for the one and the object's name for the other.
public struct FileLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as named in output (`stdin` for standard input).
    public var file: String
    public var position: SourcePosition

    public init(file: String, position: SourcePosition) {
        self.file = file
        self.position = position
    }

    /// `FILE:LINE:COLUMN`.
    public var description: String { "\(file):\(position)" }
}
