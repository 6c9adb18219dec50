public import IdentityRules
public import KubeJSON

/// Checks what a cluster already stores: the rules of the webhook on every User and Identity, and what only a
/// view of all of them shows — Users sharing an email, Identities pointing at no User or at another User's uid.
///
/// The webhook only sees writes; Gatekeeper's audit and Kyverno's background scans report what was stored before
/// them or around them. Each object is evaluated as an UPDATE of itself (so a User never clashes with itself)
/// by the engine the webhook runs, and by the ``CrossObjectChecks`` against a ``StoredUserIndex`` of every stored
/// User; each finding names its object (``IdentityRules/ObjectReference``), printed `cluster:KIND/NAME`.
/// `identity.user-exists` is on (deny) unless the configuration sets it: a dangling Identity is worth reporting
/// even where the webhook lets it through.
public struct ClusterAuditor: Sendable {
    /// The enforcement of every rule in this audit: the configuration's, `identity.user-exists` at deny unless
    /// it sets it.
    public let configuration: RuleConfiguration
    /// The rules about one object; the ``CrossObjectChecks`` are off in it.
    private let engine: RuleEngine
    private let crossObject: CrossObjectChecks

    /// The audit for `configuration`, with `identity.user-exists` at deny unless the configuration sets it.
    public init(configuration: RuleConfiguration = .defaults) {
        var overrides = configuration.overrides
        let userExists = IdentityUserExistsRule().id
        if overrides[userExists] == nil { overrides[userExists] = .deny }
        var effective = (try? RuleConfiguration(overrides: overrides)) ?? configuration
        effective.exemptions = configuration.exemptions
        for id in CrossObjectChecks.ruleIDs { overrides[id] = .off }
        self.configuration = effective
        var singleObject = (try? RuleConfiguration(overrides: overrides)) ?? effective
        singleObject.exemptions = configuration.exemptions
        engine = RuleEngine(configuration: singleObject)
        crossObject = CrossObjectChecks(configuration: effective)
    }

    /// The audit of `users` and `identities` as stored (whole objects, as listed): a section per kind, objects in
    /// name order.
    public func audit(users: [JSONObject], identities: [JSONObject]) -> FindingReport {
        let index = StoredUserIndex(users: users)
        var report = FindingReport()
        for (kind, objects) in [(ResourceKind.user, users), (.identity, identities)] {
            report.sections.append(FindingReport.Section(name: "cluster:\(kind.kind)"))
            let sorted = objects.sorted { Self.name(of: $0) < Self.name(of: $1) }
            for (offset, object) in sorted.enumerated() {
                report.append(verdict(on: object, kind: kind, ordinal: offset + 1, index: index))
            }
        }
        return report
    }

    /// The verdict on one stored object against `index`, which must hold every stored User: the step an audit
    /// takes for each object as it goes past. Its findings are in field order, a uid mismatch last.
    public func verdict(on object: JSONObject, kind: ResourceKind, ordinal: Int, index: some StoredUsers)
        -> ObjectVerdict
    {
        let reference = ObjectReference(of: .object(object), governed: kind)
        let subject = RuleSubject(kind: kind, operation: .update, object: object, oldObject: object,
                                  emailIndex: index)
        // The engine marks its own findings; the checks across objects get the same exemptions here (an audit has
        // no requester, so only `users` and `labels` selectors apply).
        let exemptions = engine.applicableExemptions(subject)
        func exempting(_ finding: Finding) -> Finding {
            var marked = finding
            marked.exemption = exemptions.first { $0.covers(finding.violation.ruleID) }?.name
            return marked
        }
        var found = engine.ordered(engine.validate(subject).findings + crossObject.findings(subject).map(exempting))
        if let mismatch = crossObject.uidMismatch(subject, index: index) { found.append(exempting(mismatch)) }
        let findings = found.map { ObjectFinding(object: reference, location: nil, finding: $0) }
        return ObjectVerdict(object: reference, ordinal: ordinal, kind: kind, findings: findings)
    }

    private static func name(of object: JSONObject) -> String {
        object["metadata"]?["name"]?.stringValue ?? ""
    }
}
