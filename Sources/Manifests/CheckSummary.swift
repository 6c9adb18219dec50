/// The counts on a check's summary line: `N documents, N checked, N skipped, N denied, N warnings`.
///
/// All five count documents: `documents` = `checked` + `skipped`, and every checked document is exactly one of
/// denied (at least one finding at `deny`), warned (allowed, with at least one finding at `warn`) or clean —
/// the three answers the webhook would give. `warnings` is the warned documents.
public struct CheckSummary: Sendable, Hashable {
    public var documents = 0
    public var checked = 0
    public var skipped = 0
    public var denied = 0
    public var warnings = 0

    public init(documents: Int = 0, checked: Int = 0, skipped: Int = 0, denied: Int = 0, warnings: Int = 0) {
        self.documents = documents
        self.checked = checked
        self.skipped = skipped
        self.denied = denied
        self.warnings = warnings
    }

    /// The summary line.
    public var line: String {
        "\(documents) documents, \(checked) checked, \(skipped) skipped, \(denied) denied, \(warnings) warnings"
    }
}
