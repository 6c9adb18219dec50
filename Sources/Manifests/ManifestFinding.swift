public import IdentityRules

/// One rule violation in a file or in a cluster, with everything the output formats print (README,
/// "Offline check" and "Audit").
public struct ManifestFinding: Sendable, Hashable {
    /// The file, or `cluster:KIND/NAME` for an object read from a cluster.
    public var file: String
    /// Where the field is in the file; nil for an object read from a cluster.
    public var position: SourcePosition?
    /// The document's 1-based ordinal in its file.
    public var document: Int
    public var kind: String
    public var name: String
    public var rule: RuleID
    public var enforcement: Enforcement
    public var field: FieldPath
    /// The apiserver-style message, `spec.state: Unsupported value: …`.
    public var message: String

    public init(file: String, position: SourcePosition?, document: Int, kind: String, name: String, rule: RuleID,
                enforcement: Enforcement, field: FieldPath, message: String)
    {
        self.file = file
        self.position = position
        self.document = document
        self.kind = kind
        self.name = name
        self.rule = rule
        self.enforcement = enforcement
        self.field = field
        self.message = message
    }

    /// `FILE:LINE:COLUMN`, or just the `cluster:KIND/NAME` of a stored object: the prefix of a text line.
    public var place: String {
        position.map { "\(file):\($0)" } ?? file
    }
}
