/// The outcome of checking a set of files: per file, its verdicts or its error; the summary; the exit status.
public struct CheckReport: Sendable {
    /// One input file and what was decided about each of its documents.
    public struct FileReport: Sendable {
        public var name: String
        public var verdicts: [DocumentVerdict]
        public var error: ManifestError?

        public init(name: String, verdicts: [DocumentVerdict], error: ManifestError?) {
            self.name = name
            self.verdicts = verdicts
            self.error = error
        }
    }

    public var files: [FileReport]
    public var summary: CheckSummary

    public init(files: [FileReport], summary: CheckSummary) {
        self.files = files
        self.summary = summary
    }

    /// Every finding, in file, document and field order.
    public var findings: [ManifestFinding] { files.flatMap { $0.verdicts.flatMap(\.findings) } }

    /// The inputs that could not be used.
    public var errors: [ManifestError] { files.compactMap(\.error) }

    /// README "Exit status": 2 when an input could not be used, else 1 when a document is denied, else 0.
    public var exitStatus: Int32 {
        if !errors.isEmpty { return 2 }
        return summary.denied > 0 ? 1 : 0
    }
}
