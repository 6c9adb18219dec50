public import IdentityRules

/// One rule violation in a file, with everything the output formats print (README, "Offline check").
public struct ManifestFinding: Sendable, Hashable {
    public var file: String
    public var position: SourcePosition
    /// The document's 1-based ordinal in its file.
    public var document: Int
    public var kind: String
    public var name: String
    public var rule: RuleID
    public var enforcement: Enforcement
    public var field: FieldPath
    /// The apiserver-style message, `spec.state: Unsupported value: …`.
    public var message: String

    public init(file: String, position: SourcePosition, document: Int, kind: String, name: String, rule: RuleID,
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
}
