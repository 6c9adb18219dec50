import KubeJSON
import IdentityRules

/// Builders for the objects the rule tests check.
enum Sample {
    static let aliceSpec: JSONValue = [
        "connector_type": "local",
        "email": "alice@example.com",
        "username": "alice",
        "valid": true,
    ]

    static func user(name: String? = "alice", spec: JSONValue? = aliceSpec, extra: [(String, JSONValue)] = [])
        -> JSONObject
    {
        var object = JSONObject([
            .init(key: "apiVersion", value: "auth.alauda.io/v1"),
            .init(key: "kind", value: "User"),
        ])
        var metadata = JSONObject()
        if let name { metadata["name"] = .string(name) }
        object["metadata"] = .object(metadata)
        if let spec { object["spec"] = spec }
        for (key, value) in extra { object[key] = value }
        return object
    }

    static func user(email: String, name: String = "alice") -> JSONObject {
        user(name: name, spec: ["email": .string(email)])
    }

    static func identity(
        name: String? = "github:alice",
        providerName: JSONValue? = "github",
        providerUserName: JSONValue? = "alice",
        user: JSONValue? = ["name": "alice", "uid": "4f2e209e-fc89-4ebb-8b53-825f81262544"],
        extra: [(String, JSONValue)] = []
    ) -> JSONObject {
        var object = JSONObject([
            .init(key: "apiVersion", value: "user.openshift.io/v1"),
            .init(key: "kind", value: "Identity"),
        ])
        var metadata = JSONObject()
        if let name { metadata["name"] = .string(name) }
        object["metadata"] = .object(metadata)
        if let providerName { object["providerName"] = providerName }
        if let providerUserName { object["providerUserName"] = providerUserName }
        if let user { object["user"] = user }
        for (key, value) in extra { object[key] = value }
        return object
    }

    /// An engine with every rule on at `deny`, so that each test sees what every rule finds.
    static let everyRuleDenies: RuleEngine = {
        let overrides = Dictionary(uniqueKeysWithValues: RuleCatalog.ids.map { ($0, Enforcement.deny) })
        return RuleEngine(configuration: try! RuleConfiguration(overrides: overrides))
    }()

    /// `rule-id: message` for every finding, in the engine's order.
    static func findings(
        _ object: JSONObject,
        kind: ResourceKind = .user,
        operation: Operation = .create,
        old: JSONObject? = nil,
        subresource: String? = nil,
        index: InMemoryEmailIndex = InMemoryEmailIndex(),
        engine: RuleEngine = everyRuleDenies
    ) -> [String] {
        let subject = RuleSubject(kind: kind, operation: operation, object: object, oldObject: old,
                                  subresource: subresource, emailIndex: index)
        return engine.validate(subject).findings.map { "\($0.violation.ruleID): \($0.violation.message)" }
    }

    /// The findings of one rule only.
    static func findings(of rule: RuleID, _ object: JSONObject, kind: ResourceKind = .user,
                         operation: Operation = .create, old: JSONObject? = nil,
                         index: InMemoryEmailIndex = InMemoryEmailIndex()) -> [String] {
        findings(object, kind: kind, operation: operation, old: old, index: index)
            .filter { $0.hasPrefix("\(rule): ") }
            .map { String($0.dropFirst(rule.rawValue.count + 2)) }
    }

    /// The md5 name Alauda gives alice@example.com, so that user.name-hash stays quiet in other tests.
    static var aliceHashName: String { UserNameHashRule.expectedName(forEmail: "alice@example.com") }
}
