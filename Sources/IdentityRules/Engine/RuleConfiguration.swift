public import KubeJSON

/// Per-rule enforcement (`deny`, `warn`, `off`) over the catalogue's defaults, and the exemptions.
///
/// Read from the `rules:` map and the `exemptions:` list of a config file (README, "Configuration") by `serve`,
/// `check`, `mutate`, `audit` and `policies`. An unknown rule id or enforcement, or a malformed exemption, is an
/// error that names it — a typo must not silently leave a rule at its default or exempt the wrong objects.
public struct RuleConfiguration: Sendable, Hashable {
    public private(set) var overrides: [RuleID: Enforcement]
    /// In file order; the first that applies to a rule names the exemption.
    public var exemptions: [Exemption] = []

    /// The catalogue's defaults.
    public static let defaults = RuleConfiguration()

    public init() {
        overrides = [:]
    }

    /// Overrides for known rules; an unknown id throws.
    public init(overrides: [RuleID: Enforcement], knownRules: [RuleID] = RuleCatalog.ids) throws(ConfigurationError) {
        for id in overrides.keys.sorted() where !knownRules.contains(id) {
            throw ConfigurationError(.unknownRule, subject: id.rawValue, knownRules: knownRules)
        }
        self.overrides = overrides
    }

    /// Overrides as written in a file: rule id → `deny` | `warn` | `off`.
    public init(strings: [String: String], knownRules: [RuleID] = RuleCatalog.ids) throws(ConfigurationError) {
        var overrides: [RuleID: Enforcement] = [:]
        for (id, value) in strings.sorted(by: { $0.key < $1.key }) {
            guard let enforcement = Enforcement(rawValue: value.lowercased()) else {
                throw ConfigurationError(.invalidEnforcement, subject: value, rule: id)
            }
            overrides[RuleID(id)] = enforcement
        }
        try self.init(overrides: overrides, knownRules: knownRules)
    }

    /// The configuration in a config document: `{"rules": {"user.email": "warn"}, "exemptions": [...]}`; other
    /// top-level keys, non-string values and malformed exemptions are errors, with the field they concern
    /// (``ConfigurationError/field``) so that a file reader can give its line.
    public init(document: JSONValue) throws(ConfigurationError) {
        guard let root = document.objectValue else {
            throw ConfigurationError(.malformed, subject: "the configuration must be a map with a \"rules\" key")
        }
        for key in root.keys where key != "rules" && key != "exemptions" {
            var error = ConfigurationError(
                .malformed, subject: "unknown key \(GoQuote.quote(key)); expected \"rules\" or \"exemptions\"")
            error.field = FieldPath(key)
            throw error
        }
        var strings: [String: String] = [:]
        if let rules = root["rules"], !rules.isNull {
            guard let map = rules.objectValue else {
                throw ConfigurationError(.malformed, subject: "\"rules\" must map rule ids to deny, warn or off")
            }
            for member in map.members {
                guard let value = member.value.stringValue else {
                    throw ConfigurationError(.invalidEnforcement, subject: JSONWriter.string(member.value),
                                             rule: member.key)
                }
                strings[member.key] = value
            }
        }
        do {
            try self.init(strings: strings)
        } catch {
            var located = error
            located.field = FieldPath("rules").child(error.code == .unknownRule ? error.subject : error.rule ?? "")
            throw located
        }
        if let list = root["exemptions"], !list.isNull {
            exemptions = try ExemptionParser.exemptions(from: list)
        }
    }

    public func enforcement(for rule: any Rule) -> Enforcement {
        overrides[rule.id] ?? rule.defaultEnforcement
    }

    public func enforcement(for id: RuleID) -> Enforcement? {
        if let override = overrides[id] { return override }
        return RuleCatalog.rule(id)?.defaultEnforcement
    }
}

/// A configuration identity-guard cannot use, with a message that says what to change.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: Sendable, Hashable {
        case unknownRule
        case invalidEnforcement
        case malformed
        /// YAML refused before it became values (an alias bomb); `subject` is the whole message.
        case yaml
    }

    public var code: Code
    /// Where in the configuration document the problem is, when it has a place there.
    public var field: FieldPath?
    /// The offending rule id, value or description.
    public var subject: String
    public var rule: String?
    /// The exemption the problem is in, when it is in one.
    public var exemption: String?
    public var knownRules: [RuleID]
    /// The configuration file, when the configuration came from one.
    public var file: String?
    /// 1-based line and column in `file`, when the problem has a place.
    public var line: Int?
    public var column: Int?

    public init(_ code: Code, subject: String, rule: String? = nil, knownRules: [RuleID] = [], file: String? = nil) {
        self.code = code
        self.subject = subject
        self.rule = rule
        self.knownRules = knownRules
        self.file = file
    }

    public var description: String {
        guard let file else { return problem }
        guard let line, let column else { return "\(file): \(problem)" }
        return "\(file):\(line):\(column): \(problem)"
    }

    private var problem: String {
        switch code {
        case .unknownRule:
            let known = knownRules.map(\.rawValue).joined(separator: ", ")
            let place = exemption.map { "exemption \(GoQuote.quote($0))" } ?? "configuration"
            return "unknown rule id \(GoQuote.quote(subject)) in \(place); known rules: \(known)"
        case .invalidEnforcement:
            return "rule \(GoQuote.quote(rule ?? "")): unknown enforcement \(GoQuote.quote(subject)); "
                + "use deny, warn or off"
        case .malformed:
            return "invalid configuration: \(subject)"
        case .yaml:
            return subject
        }
    }
}
