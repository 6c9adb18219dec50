import KubeJSON

/// One entry of the configuration's `exemptions:` — which rules stop applying to which objects, or to whose
/// requests: a break-glass account, a platform installer, a migration.
///
/// An entry applies when every selector it names matches (it must name at least one); entries are ORed. Kyverno's
/// PolicyException and Gatekeeper's exempted users in one small, explicit list, decided in one place
/// (``RuleEngine``) so that the webhook, `check`, `mutate`, the audit and the native policies agree.
public struct Exemption: Sendable, Hashable {
    /// Unique; shown in warnings, logs, audit annotations, reports and metrics.
    public var name: String
    /// The rules it exempts from; nil for all (`["*"]`).
    public var rules: [RuleID]?
    /// `metadata.name` patterns: exact, or a prefix ending in `*`.
    public var users: [String]
    /// Labels that must all be on the object (on UPDATE: on the stored object, `oldObject`).
    public var labels: [String: String]
    /// `request.userInfo.username` values, exact.
    public var requesters: [String]
    /// `request.userInfo.groups`: any one of them.
    public var requesterGroups: [String]

    public init(name: String, rules: [RuleID]? = nil, users: [String] = [], labels: [String: String] = [:],
                requesters: [String] = [], requesterGroups: [String] = [])
    {
        self.name = name
        self.rules = rules
        self.users = users
        self.labels = labels
        self.requesters = requesters
        self.requesterGroups = requesterGroups
    }

    /// Whether it names who sends the request — then it never applies offline (`check`, `mutate`, `audit`),
    /// where there is no request.
    public var needsRequester: Bool { !requesters.isEmpty || !requesterGroups.isEmpty }

    /// Whether it names no selector at all (a configuration error: it would exempt everything).
    public var hasNoSelector: Bool {
        users.isEmpty && labels.isEmpty && requesters.isEmpty && requesterGroups.isEmpty
    }

    /// Whether it exempts from `rule`.
    public func covers(_ rule: RuleID) -> Bool {
        rules?.contains(rule) ?? true
    }

    /// Whether every selector it names matches `subject`.
    public func matches(_ subject: RuleSubject) -> Bool {
        if !users.isEmpty, !users.contains(where: { Self.name(subject.name, matches: $0) }) { return false }
        if !labels.isEmpty {
            let present = subject.exemptionLabels
            for (key, value) in labels where present[key] != value { return false }
        }
        if needsRequester {
            guard let requester = subject.requester else { return false }
            if !requesters.isEmpty, !requesters.contains(requester.username) { return false }
            if !requesterGroups.isEmpty, !requester.groups.contains(where: requesterGroups.contains) { return false }
        }
        return true
    }

    /// `name` against a pattern: equal, or starting with what precedes a trailing `*`.
    public static func name(_ name: String, matches pattern: String) -> Bool {
        guard pattern.hasSuffix("*") else { return name == pattern }
        return name.hasPrefix(pattern.dropLast())
    }
}

/// Who sent an admission request (`request.userInfo`): what `requesters` and `requesterGroups` select on.
public struct Requester: Sendable, Hashable {
    public var username: String
    public var groups: [String]

    public init(username: String, groups: [String] = []) {
        self.username = username
        self.groups = groups
    }
}

/// One exemption that changed an outcome, and the rules it changed it for (in the order their findings or
/// mutations came): what the webhook's warning, audit annotation, log line and metric report.
public struct AppliedExemption: Sendable, Hashable {
    public var name: String
    public var rules: [RuleID]

    public init(name: String, rules: [RuleID]) {
        self.name = name
        self.rules = rules
    }

    /// Groups `(exemption, rule)` pairs by exemption, in first-appearance order, each rule once.
    public static func grouping(_ pairs: [(exemption: String, rule: RuleID)]) -> [AppliedExemption] {
        var applied: [AppliedExemption] = []
        for (exemption, rule) in pairs {
            if let index = applied.firstIndex(where: { $0.name == exemption }) {
                if !applied[index].rules.contains(rule) { applied[index].rules.append(rule) }
            } else {
                applied.append(AppliedExemption(name: exemption, rules: [rule]))
            }
        }
        return applied
    }

    /// The `exempted` audit annotation's value: `break-glass:user.state,user.email; installer:user.email`.
    public static func annotation(_ applied: [AppliedExemption]) -> String {
        applied.map { "\($0.name):" + $0.rules.map(\.rawValue).joined(separator: ",") }.joined(separator: "; ")
    }
}
