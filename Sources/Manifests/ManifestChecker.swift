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
    public func check(_ files: [ManifestFile], clusterUsers: [(name: String, email: String?)] = []) -> FindingReport {
        var index = InMemoryEmailIndex()
        for user in clusterUsers { index.upsert(name: user.name, email: user.email, origin: .cluster) }
        for file in files {
            for document in file.documents where document.resourceKind == .user {
                let position = document.position(of: FieldPath("spec", "email"))
                index.upsert(name: document.name, email: document.value["spec"]?["email"]?.stringValue,
                             origin: .file(path: document.file, line: position.line, column: position.column))
            }
        }
        var report = FindingReport()
        report.sections.reserveCapacity(files.count)
        for file in files {
            report.sections.append(FindingReport.Section(name: file.name, error: file.error))
            report.sections[report.sections.count - 1].verdicts.reserveCapacity(file.documents.count)
            for document in file.documents {
                report.append(check(document, index: index))
            }
        }
        return report
    }

    private func check(_ document: ManifestDocument, index: InMemoryEmailIndex) -> ObjectVerdict {
        let kind = document.resourceKind
        let object = ObjectReference(of: document.value)
        guard let kind, let value = document.value.objectValue else {
            return ObjectVerdict(object: object, ordinal: document.index, kind: nil, findings: [])
        }
        let subject = RuleSubject(kind: kind, operation: .create, object: value, emailIndex: index)
        let findings = engine.validate(subject).findings.map { finding in
            ObjectFinding(object: object,
                          location: FileLocation(file: document.file,
                                                 position: document.position(of: finding.violation.field)),
                          finding: finding)
        }
        return ObjectVerdict(object: object, ordinal: document.index, kind: kind, findings: findings)
    }
}
