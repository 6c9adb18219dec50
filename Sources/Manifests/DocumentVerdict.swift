public import IdentityRules

/// What the check decided about one document: skipped (not a governed kind) or checked, with its findings.
///
/// The JUnit report has a test case per document, so the verdicts are kept per document, not only as a flat
/// list of findings.
public struct DocumentVerdict: Sendable {
    public var document: ManifestDocument
    /// The governed kind; nil when the document was skipped.
    public var kind: ResourceKind?
    public var findings: [ManifestFinding]

    public init(document: ManifestDocument, kind: ResourceKind?, findings: [ManifestFinding]) {
        self.document = document
        self.kind = kind
        self.findings = findings
    }

    public var isSkipped: Bool { kind == nil }
    public var isDenied: Bool { findings.contains { $0.enforcement == .deny } }
    public var isWarned: Bool { !isDenied && findings.contains { $0.enforcement == .warn } }
}
