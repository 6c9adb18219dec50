public import IdentityRules
public import KubeJSON

/// Checks what a cluster already stores: the rules of the webhook on every User and Identity, and what only a
/// view of all of them shows — Users sharing an email, Identities pointing at no User or at another User's uid.
///
/// The webhook only sees writes; Gatekeeper's audit and Kyverno's background scans report what was stored before
/// them or around them. Each object is evaluated as an UPDATE of itself (so a User never clashes with itself)
/// by the engine the webhook runs, against an index of every stored User, and reported as
/// `cluster:KIND/NAME`. `identity.user-exists` is on (deny) unless the configuration sets it: a dangling
/// Identity is worth reporting even where the webhook lets it through.
public struct ClusterAuditor: Sendable {
    public let engine: RuleEngine

    /// The engine for `configuration`, with `identity.user-exists` at deny unless the configuration sets it.
    public init(configuration: RuleConfiguration = .defaults) {
        var overrides = configuration.overrides
        let userExists = IdentityUserExistsRule().id
        if overrides[userExists] == nil { overrides[userExists] = .deny }
        let effective = (try? RuleConfiguration(overrides: overrides)) ?? configuration
        engine = RuleEngine(configuration: effective)
    }

    /// The audit of `users` and `identities` as stored (whole objects, as listed).
    public func audit(users: [JSONObject], identities: [JSONObject]) -> CheckReport {
        var index = InMemoryEmailIndex()
        var uids: [String: String] = [:]
        for user in users {
            guard let name = user["metadata"]?["name"]?.stringValue else { continue }
            index.upsert(name: name, email: user["spec"]?["email"]?.stringValue)
            uids[name] = user["metadata"]?["uid"]?.stringValue
        }
        var summary = CheckSummary()
        var reports: [CheckReport.FileReport] = []
        for (kind, objects) in [(ResourceKind.user, users), (.identity, identities)] {
            var verdicts: [DocumentVerdict] = []
            let sorted = objects.sorted { Self.name(of: $0) < Self.name(of: $1) }
            for (offset, object) in sorted.enumerated() {
                let verdict = audit(object, kind: kind, ordinal: offset + 1, index: index, uids: uids)
                summary.documents += 1
                summary.checked += 1
                if verdict.isDenied { summary.denied += 1 }
                if verdict.isWarned { summary.warnings += 1 }
                verdicts.append(verdict)
            }
            reports.append(CheckReport.FileReport(name: "cluster:\(kind.kind)", verdicts: verdicts, error: nil))
        }
        return CheckReport(files: reports, summary: summary)
    }

    private func audit(_ object: JSONObject, kind: ResourceKind, ordinal: Int, index: InMemoryEmailIndex,
                       uids: [String: String]) -> DocumentVerdict
    {
        let name = Self.name(of: object)
        let place = "cluster:\(kind.kind)/\(name)"
        let document = ManifestDocument(file: place, index: ordinal, sourceDocument: 0, value: .object(object),
                                        positions: .unplaced)
        let subject = RuleSubject(kind: kind, operation: .update, object: object, oldObject: object,
                                  emailIndex: index)
        var found = engine.validate(subject).findings.map { ($0.violation, $0.enforcement) }
        if kind == .identity, let mismatch = uidMismatch(object, uids: uids) { found.append(mismatch) }
        let findings = found.map { violation, enforcement in
            ManifestFinding(file: place, position: nil, document: ordinal, kind: kind.kind, name: name,
                            rule: violation.ruleID, enforcement: enforcement, field: violation.field,
                            message: violation.message)
        }
        return DocumentVerdict(document: document, kind: kind, findings: findings)
    }

    /// `user.uid` set and naming a stored User whose uid is another: reported under `identity.user-exists`.
    private func uidMismatch(_ identity: JSONObject, uids: [String: String]) -> (Violation, Enforcement)? {
        let rule = IdentityUserExistsRule().id
        guard let enforcement = engine.configuration.enforcement(for: rule), enforcement != .off,
            let user = identity["user"]?["name"]?.stringValue, let uid = identity["user"]?["uid"]?.stringValue,
            !uid.isEmpty, let stored = uids[user], stored != uid
        else { return nil }
        let violation = Violation(rule: rule, field: FieldPath("user", "uid"), type: .invalid, badValue: .string(uid),
                                  detail: "does not match the uid of User \(GoQuote.quote(user)) (\(stored))")
        return (violation, enforcement)
    }

    private static func name(of object: JSONObject) -> String {
        object["metadata"]?["name"]?.stringValue ?? ""
    }
}
