/// What was decided about one object: skipped (not a governed kind) or checked, with its findings.
///
/// Reports are kept per object, not only as a flat list of findings: the JUnit report has a test case per
/// object, the PolicyReport counts the objects that pass, and the summary counts objects.
public struct ObjectVerdict: Sendable, Hashable {
    public var object: ObjectReference
    /// The object's 1-based ordinal in its section: the document in its file (List items counted one by one),
    /// or the stored object among those of its kind.
    public var ordinal: Int
    /// The governed kind; nil when the object was skipped.
    public var kind: ResourceKind?
    public var findings: [ObjectFinding]

    public init(object: ObjectReference, ordinal: Int, kind: ResourceKind?, findings: [ObjectFinding]) {
        self.object = object
        self.ordinal = ordinal
        self.kind = kind
        self.findings = findings
    }

    public var isSkipped: Bool { kind == nil }
    /// The webhook would refuse it: a finding denies.
    public var isDenied: Bool { findings.contains { $0.finding.denies } }
    /// The webhook would admit it with warnings: no finding denies, one warns.
    public var isWarned: Bool { !isDenied && findings.contains { $0.finding.warns } }
}
