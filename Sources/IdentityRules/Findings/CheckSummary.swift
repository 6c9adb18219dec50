/// The counts on the summary line of `check` and `audit`: `N documents, N checked, N skipped, N denied, N warnings`.
///
/// All five count documents: `documents` = `checked` + `skipped`, and every checked document is exactly one of
/// denied (at least one finding at `deny`), warned (allowed, with at least one finding at `warn`) or clean —
/// the three answers the webhook would give. `warnings` is the warned documents. `exempted` counts findings an
/// exemption lifted (they make a document neither denied nor warned); the line shows it only when there are any.
public struct CheckSummary: Sendable, Hashable {
    public var documents = 0
    public var checked = 0
    public var skipped = 0
    public var denied = 0
    public var warnings = 0
    public var exempted = 0

    public init(documents: Int = 0, checked: Int = 0, skipped: Int = 0, denied: Int = 0, warnings: Int = 0) {
        self.documents = documents
        self.checked = checked
        self.skipped = skipped
        self.denied = denied
        self.warnings = warnings
    }

    /// Counts one more object: checked and denied, warned or clean, or skipped.
    public mutating func count(_ verdict: ObjectVerdict) {
        documents += 1
        guard !verdict.isSkipped else {
            skipped += 1
            return
        }
        checked += 1
        if verdict.isDenied { denied += 1 }
        if verdict.isWarned { warnings += 1 }
        exempted += verdict.findings.count { $0.finding.isExempted }
    }

    /// Adds another summary's counts (a report assembled from parts).
    public mutating func add(_ other: CheckSummary) {
        documents += other.documents
        checked += other.checked
        skipped += other.skipped
        denied += other.denied
        warnings += other.warnings
        exempted += other.exempted
    }

    /// The objects checked with no finding that denies or warns.
    public var clean: Int { checked - denied - warnings }

    /// The summary line.
    public var line: String {
        "\(documents) documents, \(checked) checked, \(skipped) skipped, \(denied) denied, \(warnings) warnings"
            + (exempted > 0 ? ", \(exempted) exempted" : "")
    }
}
