import KubeJSON

/// One rule violation of one object, as every report of `check` and `audit` prints it: the engine's ``Finding``,
/// the object it is about, and where its field was written when the object came from a file.
///
/// Self-contained, so that a finding can be produced, logged or streamed on its own (the periodic audit logs each
/// new one) without the document or stored object it came from.
public struct ObjectFinding: Sendable, Hashable {
    public var object: ObjectReference
    /// Where the field (or the document, when the field is absent) was written; nil for a stored object.
    public var location: FileLocation?
    public var finding: Finding

    public init(object: ObjectReference, location: FileLocation?, finding: Finding) {
        self.object = object
        self.location = location
        self.finding = finding
    }

    public var rule: RuleID { finding.violation.ruleID }
    public var enforcement: Enforcement { finding.enforcement }
    public var field: FieldPath { finding.violation.field }
    /// The apiserver-style message, `spec.state: Unsupported value: …`.
    public var message: String { finding.violation.message }
    /// The exemption that lifts it, if one does.
    public var exemption: String? { finding.exemption }
    /// ` (exempted by "NAME")` for an exempted finding, else empty: what text lines end with.
    public var exemptionSuffix: String {
        exemption.map { " (exempted by \(GoQuote.quote($0)))" } ?? ""
    }

    /// Where a reader finds it: `FILE:LINE:COLUMN` for a document in a file, `cluster:KIND/NAME` for an object
    /// stored in a cluster — the prefix of a text line, and the object of an audit log line.
    public var place: String {
        location?.description ?? "cluster:\(object.path)"
    }
}
