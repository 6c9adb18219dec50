public import IdentityRules
import KubeJSON

/// Checks every document of a set of files together, the offline counterpart of the validating webhook.
///
/// All Users of all files go into one ``InMemoryEmailIndex`` first, each with its file position, so that
/// `user.email-unique` sees clashes across files (and its message names the other place) and
/// `identity.user-exists` sees the Users of the set.
/// Each governed document is then validated as a CREATE by the same ``RuleEngine`` the webhook uses, and every
/// violation gets the line and column of its field.
public struct ManifestChecker: Sendable {
    public var engine: RuleEngine

    public init(engine: RuleEngine = RuleEngine()) {
        self.engine = engine
    }

    /// Checks `files` together; `clusterUsers` (from `check --kubeconfig`) are the Users already stored in a
    /// cluster: a file's User with the same name is taken as their new version, any other clash is reported
    /// with `cluster` as the other place.
    public func check(_ files: [ManifestFile], clusterUsers: [(name: String, email: String?)] = []) -> CheckReport {
        var index = InMemoryEmailIndex()
        for user in clusterUsers { index.upsert(name: user.name, email: user.email, origin: .cluster) }
        for file in files {
            for document in file.documents where document.resourceKind == .user {
                let position = document.position(of: FieldPath("spec", "email"))
                index.upsert(name: document.name, email: document.value["spec"]?["email"]?.stringValue,
                             origin: .file(path: document.file, line: position.line, column: position.column))
            }
        }
        var summary = CheckSummary()
        var reports: [CheckReport.FileReport] = []
        reports.reserveCapacity(files.count)
        for file in files {
            var verdicts: [DocumentVerdict] = []
            verdicts.reserveCapacity(file.documents.count)
            for document in file.documents {
                let verdict = check(document, index: index)
                summary.documents += 1
                if verdict.isSkipped {
                    summary.skipped += 1
                } else {
                    summary.checked += 1
                    if verdict.isDenied { summary.denied += 1 }
                    if verdict.isWarned { summary.warnings += 1 }
                }
                verdicts.append(verdict)
            }
            reports.append(CheckReport.FileReport(name: file.name, verdicts: verdicts, error: file.error))
        }
        return CheckReport(files: reports, summary: summary)
    }

    private func check(_ document: ManifestDocument, index: InMemoryEmailIndex) -> DocumentVerdict {
        guard let kind = document.resourceKind, let object = document.value.objectValue else {
            return DocumentVerdict(document: document, kind: nil, findings: [])
        }
        let subject = RuleSubject(kind: kind, operation: .create, object: object, emailIndex: index)
        let findings = engine.validate(subject).findings.map { finding in
            let violation = finding.violation
            return ManifestFinding(file: document.file, position: document.position(of: violation.field),
                                   document: document.index, kind: kind.kind, name: document.name,
                                   rule: violation.ruleID, enforcement: finding.enforcement,
                                   field: violation.field, message: violation.message)
        }
        return DocumentVerdict(document: document, kind: kind, findings: findings)
    }
}
