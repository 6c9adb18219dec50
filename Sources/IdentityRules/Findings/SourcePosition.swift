/// A place in a manifest file: 1-based line and column (columns count Unicode scalars, as libyaml does).
///
/// A finding about a document read from a file, and an input error, carry one (``FileLocation``), so that the
/// user's editor can jump to the offending field; an object read from a cluster has none.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
