import KubeJSON
import IdentityRules
import Testing

@Suite("Rule engine")
struct RuleEngineTests {
    @Test("every violation at once, in field-path order")
    func allViolationsSorted() {
        let object = Sample.user(spec: [
            "state": "sleeping", "groups": ["a", "a"], "is_admin": "yes", "zzz": 1, "is_disabled": true,
            "continuity_errors": -2,
        ])
        #expect(Sample.findings(object, engine: RuleEngine()) == [
            "user.schema: spec.continuity_errors: Invalid value: -2: must be greater than or equal to 0",
            "user.email: spec.email: Required value",
            #"user.formats: spec.groups[1]: Duplicate value: "a""#,
            #"user.schema: spec.is_admin: Invalid value: "yes": must be of type boolean"#,
            #"user.state-consistency: spec.is_disabled: Invalid value: true: must be false when spec.state is "sleeping""#,
            #"user.state: spec.state: Unsupported value: "sleeping": supported values: "active", "disabled", "locked", "invalid""#,
            "user.schema: spec.zzz: Forbidden: field not declared in schema",
        ])
    }

    @Test("a violation limit keeps each rule's first violations, in document order, and counts the rest")
    func violationLimit() throws {
        var spec = JSONObject([.init(key: "email", value: "alice@example.com")])
        spec["groups"] = .array(Array(repeating: .string("g"), count: 1_001))
        for index in (0..<300).reversed() { spec["k\(index)"] = .integer(1) }
        let subject = RuleSubject(kind: .user, object: Sample.user(spec: .object(spec)))
        let engine = RuleEngine()

        let all = engine.validate(subject)
        #expect(all.findings.count == 1_300)
        #expect(all.omitted.isEmpty)

        let limited = engine.validate(subject, violationLimit: 100)
        #expect(limited.findings.count == 200)
        #expect(limited.omitted == [
            OmittedFindings(ruleID: "user.schema", enforcement: .deny, count: 200),
            OmittedFindings(ruleID: "user.formats", enforcement: .deny, count: 900),
        ])
        #expect(limited.omittedDenials.map(\.count) == [200, 900])
        #expect(limited.omittedWarningCount == 0)
        // The first 100 of each rule as the object lists them (k299 … k200), then sorted like any evaluation.
        let schemaFields = limited.findings.filter { $0.violation.ruleID == "user.schema" }.map(\.violation.field)
        #expect(Set(schemaFields) == Set((200..<300).map { FieldPath("spec", "k\($0)") }))
        let groupFields = limited.findings.filter { $0.violation.ruleID == "user.formats" }.map(\.violation.field)
        #expect(groupFields == (1...100).map { FieldPath("spec", "groups").index($0) })

        let warned = RuleEngine(configuration: try RuleConfiguration(strings: ["user.formats": "warn"]))
            .validate(subject, violationLimit: 100)
        #expect(warned.omittedWarningCount == 900)
        #expect(warned.omittedDenials.map(\.ruleID) == ["user.schema"])
    }

    @Test("field paths sort segment by segment, list positions by number")
    func pathOrder() {
        let paths = [
            FieldPath("spec", "groups").index(10), FieldPath("spec"), FieldPath("spec", "groups").index(2),
            FieldPath("metadata", "name"), FieldPath("spec", "email"),
        ]
        #expect(paths.sorted().map(\.description) == [
            "metadata.name", "spec", "spec.email", "spec.groups[2]", "spec.groups[10]",
        ])
        #expect(FieldPath("metadata", "annotations").key("a/b~c").jsonPointer == "/metadata/annotations/a~1b~0c")
        #expect(FieldPath("extra").key("k").description == "extra[k]")
    }

    @Test("enforcement: deny, warn, off from configuration")
    func enforcement() throws {
        let object = Sample.user(spec: ["email": "alice@example.com", "state": "sleeping"])
        let warnOnly = RuleEngine(configuration: try RuleConfiguration(strings: ["user.state": "warn"]))
        let evaluation = warnOnly.validate(RuleSubject(kind: .user, object: object))
        #expect(evaluation.isAllowed)
        #expect(evaluation.warnings.map(\.ruleID) == ["user.state"])
        let off = RuleEngine(configuration: try RuleConfiguration(strings: ["user.state": "off"]))
        #expect(off.validate(RuleSubject(kind: .user, object: object)).findings.isEmpty)
        #expect(!RuleEngine().validate(RuleSubject(kind: .user, object: object)).isAllowed)
    }

    @Test("configuration errors name what is wrong")
    func configurationErrors() throws {
        #expect {
            _ = try RuleConfiguration(strings: ["user.emial": "deny"])
        } throws: { error in
            (error as? ConfigurationError)?.description.hasPrefix(
                #"unknown rule id "user.emial" in configuration; known rules: user.schema, user.email,"#) == true
        }
        #expect {
            _ = try RuleConfiguration(strings: ["user.email": "block"])
        } throws: { error in
            (error as? ConfigurationError)?.description
                == #"rule "user.email": unknown enforcement "block"; use deny, warn or off"#
        }
        let document = try JSONReader.parse(#"{"rules": {"user.name-hash": "deny", "user.state": "WARN"}}"#)
        let configuration = try RuleConfiguration(document: document)
        #expect(configuration.enforcement(for: "user.name-hash") == .deny)
        #expect(configuration.enforcement(for: "user.state") == .warn)
        #expect(configuration.enforcement(for: "user.email") == .deny)
        #expect(configuration.enforcement(for: "identity.user-exists") == .off)
        #expect(throws: ConfigurationError.self) { _ = try RuleConfiguration(document: ["rulez": [:]]) }
        #expect(throws: ConfigurationError.self) { _ = try RuleConfiguration(document: ["rules": ["user.email": 1]]) }
    }

    @Test("DELETE and CONNECT run no rules; the status subresource skips the spec rules")
    func operations() {
        let broken = Sample.user(spec: ["state": "sleeping", "password": "x"])
        for operation in [Operation.delete, .connect] {
            #expect(Sample.findings(broken, operation: operation).isEmpty)
        }
        #expect(Sample.findings(broken, operation: .update, old: broken, subresource: "status").isEmpty)
        #expect(!RuleEngine().mutate(RuleSubject(kind: .user, operation: .update, object: broken, oldObject: broken,
                                                 subresource: "status")).changed)
        #expect(!Sample.findings(broken, operation: .update, old: broken).isEmpty)
    }

    @Test("every rule has a unique kebab-case id, a summary, and the spec's default")
    func catalogue() {
        let ids = RuleCatalog.ids.map(\.rawValue)
        #expect(Set(ids).count == ids.count)
        #expect(ids == [
            "user.schema", "user.email", "user.email-unique", "user.password-deprecated", "user.state",
            "user.state-consistency", "user.formats", "user.name-hash", "identity.schema", "identity.required",
            "identity.name", "identity.immutable", "identity.user-exists",
        ])
        let defaults = Dictionary(uniqueKeysWithValues: RuleCatalog.all.map { ($0.id.rawValue, $0.defaultEnforcement) })
        #expect(defaults["user.password-deprecated"] == .warn)
        #expect(defaults["user.name-hash"] == .off)
        #expect(defaults["identity.user-exists"] == .off)
        #expect(defaults.filter { $0.value == .deny }.count == 10)
        for rule in RuleCatalog.all { #expect(!rule.summary.isEmpty && rule.summary.count <= 120) }
    }

    @Test("bad values print like Go's %q: escapes for control characters, text otherwise")
    func quoting() {
        #expect(GoQuote.quote("a\"b\\c\n\u{01}é\u{200B}😀") == #""a\"b\\c\n\u0001é\u200b😀""#)
        #expect(BadValue(.float(literal: "1e400")).rendered == "1e400")
        #expect(BadValue(["secret": "x"]).rendered == #""object""#)
    }
}
