public import IdentityRules

/// Checks every document of a set of files together, the offline counterpart of the validating webhook.
///
/// All Users of all files go into one ``InMemoryEmailIndex`` first, so that `user.email-unique` sees clashes
/// across files (and the message names the other place) and `identity.user-exists` sees the Users of the set.
/// Each governed document is then validated as a CREATE by the same ``RuleEngine`` the webhook uses, and every
/// violation gets the line and column of its field.
public struct ManifestChecker: Sendable {
    public var engine: RuleEngine

    public init(engine: RuleEngine = RuleEngine()) {
        self.engine = engine
    }

    /// Where a User holding an email was written: for naming the other place of a clash.
    private struct EmailHolder {
        var name: String
        var file: String
        var position: SourcePosition
    }

    /// Checks `files` together; `clusterUsers` (from `check --kubeconfig`) are the Users already stored in a
    /// cluster: a file's User with the same name is taken as their new version, any other clash is reported
    /// with `cluster` as the other place.
    public func check(_ files: [ManifestFile], clusterUsers: [(name: String, email: String?)] = []) -> CheckReport {
        var index = InMemoryEmailIndex()
        var holders: [String: [EmailHolder]] = [:]
        var clusterHolders: [String: [String]] = [:]
        for user in clusterUsers {
            index.upsert(name: user.name, email: user.email)
            if let email = user.email { clusterHolders[EmailNormalizer.normalize(email), default: []].append(user.name) }
        }
        for file in files {
            for document in file.documents where document.resourceKind == .user {
                let name = document.name
                let email = document.value["spec"]?["email"]?.stringValue
                index.upsert(name: name, email: email)
                guard let email else { continue }
                let normalized = EmailNormalizer.normalize(email)
                holders[normalized, default: []].append(EmailHolder(
                    name: name, file: document.file, position: document.position(of: FieldPath("spec", "email"))))
            }
        }
        var summary = CheckSummary()
        var reports: [CheckReport.FileReport] = []
        reports.reserveCapacity(files.count)
        for file in files {
            var verdicts: [DocumentVerdict] = []
            verdicts.reserveCapacity(file.documents.count)
            for document in file.documents {
                let verdict = check(document, index: index, holders: holders, clusterHolders: clusterHolders)
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

    private func check(
        _ document: ManifestDocument,
        index: InMemoryEmailIndex,
        holders: [String: [EmailHolder]],
        clusterHolders: [String: [String]]
    ) -> DocumentVerdict {
        guard let kind = document.resourceKind, let object = document.value.objectValue else {
            return DocumentVerdict(document: document, kind: nil, findings: [])
        }
        let subject = RuleSubject(kind: kind, operation: .create, object: object, emailIndex: index)
        let evaluation = engine.validate(subject)
        let findings = evaluation.findings.map { finding in
            let violation = finding.violation
            var message = violation.message
            if violation.ruleID == "user.email-unique", let email = object["spec"]?["email"]?.stringValue {
                let normalized = EmailNormalizer.normalize(email)
                let inFiles = (holders[normalized] ?? []).filter { $0.name != subject.name }
                let inCluster = (clusterHolders[normalized] ?? [])
                    .filter { name in name != subject.name && !inFiles.contains { $0.name == name } }
                let places = inFiles
                    .sorted { ($0.name, $0.file, $0.position) < ($1.name, $1.file, $1.position) }
                    .map { "\($0.file):\($0.position)" } + (inCluster.isEmpty ? [] : ["cluster"])
                if !places.isEmpty { message += " (\(places.joined(separator: ", ")))" }
            }
            return ManifestFinding(file: document.file, position: document.position(of: violation.field),
                                   document: document.index, kind: kind.kind, name: document.name,
                                   rule: violation.ruleID, enforcement: finding.enforcement,
                                   field: violation.field, message: message)
        }
        return DocumentVerdict(document: document, kind: kind, findings: findings)
    }
}
