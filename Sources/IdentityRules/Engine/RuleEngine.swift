public import KubeJSON

/// The one rule engine behind the webhook and the offline checker.
///
/// Given a ``RuleSubject`` it runs the rules of that kind at their configured enforcement and returns every
/// violation at once, sorted in field order (``validate(_:)``), or applies the mutating rules and returns the
/// changed object (``mutate(_:)``). DELETE and CONNECT are allowed without rules; a request on the `status`
/// subresource skips the rules about `spec`.
public struct RuleEngine: Sendable {
    public let configuration: RuleConfiguration
    private let rulesByKind: [ResourceKind: [(rule: any Rule, enforcement: Enforcement)]]
    private let mutatingRulesByKind: [ResourceKind: [any MutatingRule]]
    private let ruleOrder: [RuleID: Int]

    public init(configuration: RuleConfiguration = .defaults, rules: [any Rule] = RuleCatalog.all) {
        self.configuration = configuration
        var byKind: [ResourceKind: [(rule: any Rule, enforcement: Enforcement)]] = [:]
        for rule in rules {
            let enforcement = configuration.enforcement(for: rule)
            guard enforcement != .off else { continue }
            byKind[rule.kind, default: []].append((rule, enforcement))
        }
        rulesByKind = byKind
        mutatingRulesByKind = byKind.mapValues { rules in rules.compactMap { $0.rule as? any MutatingRule } }
        ruleOrder = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
    }

    /// Every violation of the active rules, with its enforcement, in field-path order.
    ///
    /// With a `violationLimit` each rule keeps only its first violations in document order and counts the rest
    /// (``Evaluation/omitted``): the webhook's answer shows at most 100 causes, and an object built to break a
    /// rule 200,000 times must not cost 200,000 findings. The offline checker and the audit keep every one.
    public func validate(_ subject: RuleSubject, violationLimit: Int? = nil) -> Evaluation {
        var findings: [Finding] = []
        var omitted: [OmittedFindings] = []
        let exemptions = applicableExemptions(subject)
        // Each rule borrowed where it lies: `for (rule, enforcement) in` copied every entry — an existential and
        // its box's retain and release — on every request.
        activeRules(for: subject).withUnsafeBufferPointer { active in
            for index in active.indices {
                var collector = ViolationCollector(limit: violationLimit)
                active[index].rule.validate(subject, into: &collector)
                if collector.violations.isEmpty && collector.omitted == 0 { continue }
                let (ruleID, enforcement) = (active[index].rule.id, active[index].enforcement)
                let exemption = exemptions.first { $0.covers(ruleID) }?.name
                for violation in collector.violations {
                    findings.append(Finding(violation: violation, enforcement: enforcement, exemption: exemption))
                }
                if collector.omitted > 0, exemption == nil {
                    omitted.append(OmittedFindings(ruleID: ruleID, enforcement: enforcement, count: collector.omitted))
                }
            }
        }
        return Evaluation(findings: ordered(findings), omitted: omitted)
    }

    /// The configured exemptions whose selectors all match `subject`, in file order.
    public func applicableExemptions(_ subject: RuleSubject) -> [Exemption] {
        guard !configuration.exemptions.isEmpty else { return [] }
        return configuration.exemptions.filter { $0.matches(subject) }
    }

    /// `findings` in the order ``validate(_:)`` reports them: field path, then catalogue order of the rules —
    /// for callers that add findings of their own (the audit's checks across objects).
    public func ordered(_ findings: [Finding]) -> [Finding] {
        guard findings.count > 1 else { return findings }
        let order = ruleOrder
        return findings.sorted { left, right in
            if left.violation.field != right.violation.field { return left.violation.field < right.violation.field }
            return (order[left.violation.ruleID] ?? 0) < (order[right.violation.ruleID] ?? 0)
        }
    }

    /// The object with every active mutating rule applied, in catalogue order, and what each one did.
    /// An exempted mutating rule is not applied; when it would have changed the object, the result says which
    /// exemption kept it from doing so.
    public func mutate(_ subject: RuleSubject) -> MutationResult {
        var object = subject.object
        var mutations: [Mutation] = []
        var exempted: [(exemption: String, rule: RuleID)] = []
        let exemptions = applicableExemptions(subject)
        for rule in applicable(mutatingRulesByKind[subject.kind] ?? [], to: subject, rule: { $0 }) {
            if let exemption = exemptions.first(where: { $0.covers(rule.id) }) {
                var untouched = object
                if rule.mutate(&untouched, subject: subject) != nil { exempted.append((exemption.name, rule.id)) }
                continue
            }
            if let mutation = rule.mutate(&object, subject: subject) { mutations.append(mutation) }
        }
        return MutationResult(original: subject.object, mutated: object, mutations: mutations,
                              exemptions: AppliedExemption.grouping(exempted))
    }

    private func activeRules(for subject: RuleSubject) -> [(rule: any Rule, enforcement: Enforcement)] {
        applicable(rulesByKind[subject.kind] ?? [], to: subject, rule: { $0.rule })
    }

    /// The rules that run for `subject`: none for DELETE and CONNECT, only status-safe ones on `status`.
    private func applicable<Entry>(_ entries: [Entry], to subject: RuleSubject, rule: (Entry) -> any Rule)
        -> [Entry]
    {
        guard subject.operation == .create || subject.operation == .update else { return [] }
        guard subject.subresource == "status" else { return entries }
        return entries.filter { rule($0).appliesToStatusSubresource }
    }
}

/// One violation, how it is enforced, and the exemption that lifts it, if one does.
public struct Finding: Sendable, Hashable {
    public var violation: Violation
    public var enforcement: Enforcement
    /// The name of the exemption that applies to this finding's rule for this object: it neither denies nor warns.
    public var exemption: String?

    public init(violation: Violation, enforcement: Enforcement, exemption: String? = nil) {
        self.violation = violation
        self.enforcement = enforcement
        self.exemption = exemption
    }

    /// Whether it refuses the object: what the webhook denies, `check` and `audit` count as denied and exit 1 for.
    public var denies: Bool { enforcement == .deny && exemption == nil }
    /// Whether it only warns.
    public var warns: Bool { enforcement == .warn && exemption == nil }
    /// Whether an exemption lifted it.
    public var isExempted: Bool { exemption != nil }
}

/// Findings of one rule that a violation limit counted instead of keeping.
public struct OmittedFindings: Sendable, Hashable {
    public var ruleID: RuleID
    public var enforcement: Enforcement
    public var count: Int

    public init(ruleID: RuleID, enforcement: Enforcement, count: Int) {
        self.ruleID = ruleID
        self.enforcement = enforcement
        self.count = count
    }
}

/// The outcome of validating one object.
public struct Evaluation: Sendable, Hashable {
    /// Every finding kept, in field-path order.
    public var findings: [Finding]
    /// Per rule, the findings past a violation limit, counted (empty without a limit).
    public var omitted: [OmittedFindings]

    public init(findings: [Finding] = [], omitted: [OmittedFindings] = []) {
        self.findings = findings
        self.omitted = omitted
    }

    /// Denials past the violation limit, per rule in catalogue order.
    public var omittedDenials: [(ruleID: RuleID, count: Int)] {
        omitted.filter { $0.enforcement == .deny }.map { ($0.ruleID, $0.count) }
    }
    /// The exemptions that lifted a finding, each with the rules it lifted, in the order of the findings.
    public var exemptions: [AppliedExemption] {
        AppliedExemption.grouping(findings.compactMap { finding in
            finding.exemption.map { ($0, finding.violation.ruleID) }
        })
    }
    /// How many warnings the violation limit counted instead of keeping.
    public var omittedWarningCount: Int {
        omitted.filter { $0.enforcement == .warn }.reduce(0) { $0 + $1.count }
    }

    /// The violations that deny the request.
    public var denials: [Violation] { findings.filter(\.denies).map(\.violation) }
    /// The violations that only warn.
    public var warnings: [Violation] { findings.filter(\.warns).map(\.violation) }
    public var isAllowed: Bool { !findings.contains(where: \.denies) }
}

/// The outcome of mutating one object: the original, the changed object, and what each rule did.
public struct MutationResult: Sendable, Hashable {
    public var original: JSONObject
    public var mutated: JSONObject
    public var mutations: [Mutation]
    /// Mutating rules an exemption kept from changing the object (they would have).
    public var exemptions: [AppliedExemption]

    public init(original: JSONObject, mutated: JSONObject, mutations: [Mutation],
                exemptions: [AppliedExemption] = [])
    {
        self.original = original
        self.mutated = mutated
        self.mutations = mutations
        self.exemptions = exemptions
    }

    /// Whether a rule changed the object (a mutating rule reports a ``Mutation`` exactly when it does).
    public var changed: Bool { !mutations.isEmpty }
}
