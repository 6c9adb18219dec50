/// A YAML document refused by ``YAMLAliasBudget``: where, and how far its aliases would expand it.
///
/// A value the readers turn into their own syntax-class errors, so that every caller words it the same way:
/// `YAML error: document expands aliases too far (N nodes from M)`.
public struct YAMLAliasError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line and column of the alias with the largest expansion.
    public var line: Int
    public var column: Int
    /// Nodes the document would hold with every alias expanded (at most `Int.max`).
    public var expandedNodes: Int
    /// Nodes as the document is written.
    public var writtenNodes: Int

    public init(line: Int, column: Int, expandedNodes: Int, writtenNodes: Int) {
        self.line = line
        self.column = column
        self.expandedNodes = expandedNodes
        self.writtenNodes = writtenNodes
    }

    /// `YAML error: document expands aliases too far (N nodes from M)`, without the place.
    public var message: String {
        "YAML error: document expands aliases too far (\(expandedNodes) nodes from \(writtenNodes))"
    }

    /// `LINE:COLUMN: ` and the message.
    public var description: String { "\(line):\(column): \(message)" }
}
