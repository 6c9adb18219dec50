/// The outcome of `check` or `audit`: per section (an input file, or the stored objects of a kind), the verdict
/// on each object or why the input could not be used; the summary; the exit status.
///
/// One model for both, so that every output format (text, JSON, SARIF, JUnit, PolicyReport) is written once:
/// the offline checker (Manifests) and the cluster audit (ClusterAudit) each produce it, and neither needs the
/// other. A report grows one verdict at a time (``append(_:)``), so that a producer can stream.
public struct FindingReport: Sendable {
    /// One input file, or the stored objects of one kind (`cluster:User`), and what was decided about each
    /// object in it.
    public struct Section: Sendable {
        public var name: String
        public var verdicts: [ObjectVerdict]
        public var error: InputError?

        public init(name: String, verdicts: [ObjectVerdict] = [], error: InputError? = nil) {
            self.name = name
            self.verdicts = verdicts
            self.error = error
        }
    }

    public var sections: [Section]
    public var summary: CheckSummary

    public init(sections: [Section] = [], summary: CheckSummary = CheckSummary()) {
        self.sections = sections
        self.summary = summary
    }

    /// Adds `verdict` to the last section, and counts it.
    public mutating func append(_ verdict: ObjectVerdict) {
        if sections.isEmpty { sections.append(Section(name: "")) }
        sections[sections.count - 1].verdicts.append(verdict)
        summary.count(verdict)
    }

    /// Every finding, in section, object and field order.
    public var findings: [ObjectFinding] { sections.flatMap { $0.verdicts.flatMap(\.findings) } }

    /// The inputs that could not be used.
    public var errors: [InputError] { sections.compactMap(\.error) }

    /// README "Exit status": 2 when an input could not be used, else 1 when an object is denied, else 0.
    public var exitStatus: Int32 {
        if !errors.isEmpty { return 2 }
        return summary.denied > 0 ? 1 : 0
    }
}
