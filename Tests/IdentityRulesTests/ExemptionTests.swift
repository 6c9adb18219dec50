import KubeJSON
import IdentityRules
import Testing

/// Exemptions decided in one place: which entries apply to which objects and requests, what they lift, and
/// how a configuration with a bad entry is refused.
@Suite("Exemptions")
struct ExemptionTests {
    static func configuration(_ yaml: JSONValue) throws -> RuleConfiguration {
        try RuleConfiguration(document: yaml)
    }

    /// A User named `name` with `labels`, in state `sleeping` (a `user.state` denial).
    static func sleeper(_ name: String = "admin", labels: [String: String] = [:]) -> JSONObject {
        var object = Sample.user(name: name, spec: ["email": .string("\(name)@example.com"), "state": "sleeping"])
        if !labels.isEmpty {
            var metadata = object["metadata"]?.objectValue ?? JSONObject()
            metadata["labels"] = .object(JSONObject(labels.sorted { $0.key < $1.key }.map {
                JSONObject.Member(key: $0.key, value: .string($0.value))
            }))
            object["metadata"] = .object(metadata)
        }
        return object
    }

    static let breakGlass: JSONValue = [
        "exemptions": [
            ["name": "break-glass", "rules": ["user.state", "user.email"], "users": ["admin", "svc-*"]],
            ["name": "labelled", "rules": ["*"], "labels": ["identity-guard.io/exempt": "true"]],
            ["name": "installer", "rules": ["user.state"],
             "requesters": ["system:serviceaccount:cpaas-system:installer"]],
            ["name": "masters", "rules": ["user.state"], "requesterGroups": ["system:masters"]],
            ["name": "both", "rules": ["user.state"], "users": ["bob"], "requesters": ["carol"]],
        ],
    ]

    @Test("users: exact names and trailing-* prefixes; nothing else")
    func users() throws {
        let engine = RuleEngine(configuration: try Self.configuration(Self.breakGlass))
        for (name, exempted) in [("admin", true), ("svc-backup", true), ("svc-", true), ("admin2", false),
                                 ("my-svc-x", false)]
        {
            let evaluation = engine.validate(RuleSubject(kind: .user, object: Self.sleeper(name)))
            #expect(evaluation.isAllowed == exempted, "\(name)")
            #expect(evaluation.exemptions == (exempted ? [AppliedExemption(name: "break-glass", rules: ["user.state"])]
                                                       : []), "\(name)")
        }
        #expect(Exemption.name("abc", matches: "*"))
        #expect(!Exemption.name("abc", matches: "ab"))
    }

    @Test("labels match the new object on CREATE and the stored one on UPDATE: a request cannot exempt itself")
    func labelsOnUpdate() throws {
        let engine = RuleEngine(configuration: try Self.configuration(Self.breakGlass))
        let labelled = Self.sleeper("dave", labels: ["identity-guard.io/exempt": "true", "team": "x"])
        let plain = Self.sleeper("dave")
        #expect(engine.validate(RuleSubject(kind: .user, operation: .create, object: labelled)).isAllowed)
        // The update adds the label it needs: the stored object has none, so nothing is exempted.
        let adding = engine.validate(RuleSubject(kind: .user, operation: .update, object: labelled, oldObject: plain))
        #expect(!adding.isAllowed)
        #expect(adding.exemptions.isEmpty)
        // The stored object carries it: the update is exempted, even one that removes the label.
        let removing = engine.validate(RuleSubject(kind: .user, operation: .update, object: plain, oldObject: labelled))
        #expect(removing.isAllowed)
        #expect(removing.exemptions == [AppliedExemption(name: "labelled", rules: ["user.state"])])
        // A label with another value does not match.
        let other = Self.sleeper("dave", labels: ["identity-guard.io/exempt": "false"])
        #expect(!engine.validate(RuleSubject(kind: .user, object: other)).isAllowed)
    }

    @Test("requesters and requester groups need a request: offline (no requester) they never apply")
    func requesters() throws {
        let engine = RuleEngine(configuration: try Self.configuration(Self.breakGlass))
        func verdict(_ name: String, _ requester: Requester?) -> [AppliedExemption] {
            var subject = RuleSubject(kind: .user, object: Self.sleeper(name))
            subject.requester = requester
            return engine.validate(subject).exemptions
        }
        let installer = Requester(username: "system:serviceaccount:cpaas-system:installer", groups: [])
        #expect(verdict("erin", installer) == [AppliedExemption(name: "installer", rules: ["user.state"])])
        #expect(verdict("erin", Requester(username: "kubernetes-admin", groups: ["system:authenticated",
                                                                                  "system:masters"]))
            == [AppliedExemption(name: "masters", rules: ["user.state"])])
        #expect(verdict("erin", Requester(username: "someone", groups: ["system:authenticated"])).isEmpty)
        #expect(verdict("erin", nil).isEmpty)
        // Every selector an entry names must match: bob created by carol, not by anyone else.
        #expect(verdict("bob", Requester(username: "carol")) == [AppliedExemption(name: "both", rules: ["user.state"])])
        #expect(verdict("bob", Requester(username: "dave")).isEmpty)
        #expect(verdict("bob", nil).isEmpty)
        #expect(try Self.configuration(Self.breakGlass).exemptions.filter(\.needsRequester).map(\.name)
            == ["installer", "masters", "both"])
    }

    @Test("an exempted finding neither denies nor warns; the other rules still do; the first matching entry names it")
    func onlyTheNamedRules() throws {
        let engine = RuleEngine(configuration: try Self.configuration([
            "rules": ["user.password-deprecated": "warn"],
            "exemptions": [
                ["name": "first", "rules": ["user.password-deprecated"], "users": ["admin"]],
                ["name": "second", "rules": ["*"], "users": ["admin"]],
            ],
        ]))
        var spec = JSONObject([.init(key: "email", value: "not an email"), .init(key: "state", value: "sleeping")])
        spec["password"] = "hunter2"
        let evaluation = engine.validate(RuleSubject(kind: .user, object: Sample.user(name: "admin", spec: .object(spec))))
        #expect(evaluation.isAllowed)
        #expect(evaluation.warnings.isEmpty)
        #expect(evaluation.findings.map { "\($0.violation.ruleID) \($0.exemption ?? "-")" } == [
            "user.email second", "user.password-deprecated first", "user.state second",
        ])
        #expect(evaluation.exemptions == [
            AppliedExemption(name: "second", rules: ["user.email", "user.state"]),
            AppliedExemption(name: "first", rules: ["user.password-deprecated"]),
        ])
        #expect(AppliedExemption.annotation(evaluation.exemptions)
            == "second:user.email,user.state; first:user.password-deprecated")
    }

    @Test("an exempted mutating rule does not mutate; the result says it would have")
    func mutations() throws {
        let engine = RuleEngine(configuration: try Self.configuration([
            "exemptions": [["name": "legacy", "rules": ["user.state-consistency"], "users": ["old-*"]]],
        ]))
        let spec: JSONValue = ["email": "a@example.com", "state": "disabled", "password": "hunter2"]
        let exempted = engine.mutate(RuleSubject(kind: .user, object: Sample.user(name: "old-1", spec: spec)))
        #expect(exempted.mutations.map(\.ruleID) == ["user.password-deprecated"])
        #expect(exempted.mutated["spec"]?["is_disabled"] == nil)
        #expect(exempted.mutated["spec"]?["password"] == nil)
        #expect(exempted.exemptions == [AppliedExemption(name: "legacy", rules: ["user.state-consistency"])])
        // Nothing to fill: the exemption changed nothing, so it is not reported.
        let consistent = engine.mutate(RuleSubject(kind: .user, object: Sample.user(
            name: "old-2", spec: ["email": "a@example.com", "state": "disabled", "is_disabled": true])))
        #expect(consistent.exemptions.isEmpty)
        #expect(!consistent.changed)
    }

    /// A configuration document as JSON, the field the error names, the start of its message.
    static let refusals: [(String, String, String)] = [
        (#"{"exemptions": {"name": "x"}}"#, "exemptions",
         #"invalid configuration: "exemptions" must be a list of exemptions"#),
        (#"{"exemptions": [{"rules": ["*"], "users": ["a"]}]}"#, "exemptions[0]",
         #"invalid configuration: exemptions[0]: "name" is required (a non-empty string)"#),
        (#"{"exemptions": [{"name": "", "rules": ["*"], "users": ["a"]}]}"#, "exemptions[0].name",
         #"invalid configuration: exemptions[0]: "name" is required (a non-empty string)"#),
        (#"{"exemptions": [{"name": "a", "rules": ["*"], "users": ["a"]}, {"name": "a", "rules": ["*"], "users": ["b"]}]}"#,
         "exemptions[1].name", #"invalid configuration: exemption "a" is named twice; names must be unique"#),
        (#"{"exemptions": [{"name": "a", "rules": ["*"], "user": ["a"]}]}"#, "exemptions[0].user",
         #"invalid configuration: exemption "a": unknown key "user"; expected "name", "rules", "users", "labels", "#
            + #""requesters", "requesterGroups""#),
        (#"{"exemptions": [{"name": "a", "rules": ["user.nope"], "users": ["a"]}]}"#, "exemptions[0].rules[0]",
         #"unknown rule id "user.nope" in exemption "a"; known rules: "#),
        (#"{"exemptions": [{"name": "a", "rules": ["*"]}]}"#, "exemptions[0]",
         #"invalid configuration: exemption "a" names no selector: give users, labels, requesters or "#
            + #"requesterGroups (an exemption for everyone is a rule turned off)"#),
        (#"{"exemptions": [{"name": "a", "users": ["x"]}]}"#, "exemptions[0]",
         #"invalid configuration: exemption "a": "rules" is required: rule ids, or ["*"] for all"#),
        (#"{"exemptions": [{"name": "a", "rules": [], "users": ["x"]}]}"#, "exemptions[0].rules",
         #"invalid configuration: exemption "a": "rules" is empty; list rule ids, or ["*"] for all"#),
        (#"{"exemptions": [{"name": "a", "rules": ["*"], "labels": {"exempt": true}}]}"#,
         "exemptions[0].labels[exempt]",
         #"invalid configuration: exemption "a": label "exempt" must have a string value (quote "true")"#),
        (#"{"exemptions": [{"name": "a", "rules": ["*"], "users": "admin"}]}"#, "exemptions[0].users",
         #"invalid configuration: exemption "a": "users" must be a list of strings"#),
        (#"{"exempt": []}"#, "exempt", #"invalid configuration: unknown key "exempt"; expected "rules" or "exemptions""#),
    ]

    @Test("a bad exemptions list is refused, naming the field", arguments: refusals)
    func refused(json: String, field: String, message: String) throws {
        let document = try JSONReader.parse(Array(json.utf8))
        #expect(throws: ConfigurationError.self) { try RuleConfiguration(document: document) }
        do {
            _ = try RuleConfiguration(document: document)
        } catch {
            #expect(error.field?.description == field)
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }
}
