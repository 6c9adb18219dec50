import KubeJSON
@testable import IdentityRules
import Testing

@Suite("user.email")
struct UserEmailRuleTests {
    @Test(
        "accepts addresses and plain unique strings",
        arguments: [
            "alice@example.com", "alice", "ALICE@Example.COM", "a.b+tag@sub.example.co.uk", "\"odd@local\"@example.com",
            "josé@exämple.de", "ops-team", "u@localhost", String(repeating: "a", count: 64) + "@example.com",
        ]
    )
    func accepted(email: String) {
        #expect(Sample.findings(of: "user.email", Sample.user(email: email)).isEmpty)
    }

    @Test(
        "refuses unusable emails with an actionable message",
        arguments: [
            ("", "spec.email: Required value"),
            ("alice smith@example.com",
             #"spec.email: Invalid value: "alice smith@example.com": must not contain white space or control characters"#),
            (" alice@example.com",
             #"spec.email: Invalid value: " alice@example.com": must not contain white space or control characters"#),
            ("alice\n@example.com",
             #"spec.email: Invalid value: "alice\n@example.com": must not contain white space or control characters"#),
            ("@example.com", #"spec.email: Invalid value: "@example.com": must have 1 to 64 characters before the last "@""#),
            ("alice@example.com.", #"spec.email: Invalid value: "alice@example.com.": must not end with ".""#),
            ("alice@", #"spec.email: Invalid value: "alice@": must have a domain of dot-separated labels of letters, digits and hyphens after the last "@""#),
            ("alice@exa..mple.com", #"spec.email: Invalid value: "alice@exa..mple.com": must have a domain of dot-separated labels of letters, digits and hyphens after the last "@""#),
            ("alice@-example.com", #"spec.email: Invalid value: "alice@-example.com": must have a domain of dot-separated labels of letters, digits and hyphens after the last "@""#),
            ("alice@exam_ple.com", #"spec.email: Invalid value: "alice@exam_ple.com": must have a domain of dot-separated labels of letters, digits and hyphens after the last "@""#),
        ]
    )
    func refused(email: String, message: String) {
        #expect(Sample.findings(of: "user.email", Sample.user(email: email)) == [message])
    }

    @Test("the local part may have 64 characters, not 65")
    func localPartLength() {
        let email = String(repeating: "a", count: 65) + "@example.com"
        #expect(Sample.findings(of: "user.email", Sample.user(email: email)) == [
            "spec.email: Invalid value: \"\(email)\": must have 1 to 64 characters before the last \"@\"",
        ])
    }

    @Test("at most 254 characters (not bytes); the too-long value is not echoed")
    func maximumLength() {
        let local = String(repeating: "a", count: 60)
        let label = String(repeating: "b", count: 60)
        let at254 = local + "@" + [label, label, label, String(repeating: "c", count: 10)].joined(separator: ".")
        #expect(at254.utf8.count == 254)
        #expect(Sample.findings(of: "user.email", Sample.user(email: at254)).isEmpty)
        #expect(Sample.findings(of: "user.email", Sample.user(email: at254 + "c")) == [
            "spec.email: Too long: may not be more than 254 characters",
        ])
        let wideLabel = String(repeating: "ü", count: 60)
        let wide = String(repeating: "ë", count: 64) + "@" + [wideLabel, wideLabel, wideLabel, "üüüüüü"].joined(separator: ".")
        #expect(wide.unicodeScalars.count == 254 && wide.utf8.count > 254)
        #expect(Sample.findings(of: "user.email", Sample.user(email: wide)).isEmpty)
    }

    @Test("a missing spec or email is Required; a mistyped email is left to user.schema")
    func missing() {
        #expect(Sample.findings(of: "user.email", Sample.user(spec: nil)) == ["spec.email: Required value"])
        #expect(Sample.findings(of: "user.email", Sample.user(spec: [:])) == ["spec.email: Required value"])
        #expect(Sample.findings(of: "user.email", Sample.user(spec: ["email": .null])) == ["spec.email: Required value"])
        #expect(Sample.findings(Sample.user(spec: ["email": 42]), engine: RuleEngine()) == [
            "user.schema: spec.email: Invalid value: 42: must be of type string",
        ])
    }
}

@Suite("user.email-unique")
struct UserEmailUniqueRuleTests {
    static let index = InMemoryEmailIndex([(name: "bob", email: "Bob@Example.com"), (name: "alice", email: "alice@example.com")])

    @Test("a clash is denied and names the other User; case and white space do not matter")
    func clash() {
        #expect(Sample.findings(of: "user.email-unique", Sample.user(email: " BOB@example.COM", name: "bobby"),
                                index: Self.index) == [
            #"spec.email: Duplicate value: " BOB@example.COM": already used by User "bob""#,
        ])
    }

    @Test("Unicode-aware: case variants and canonically equivalent forms clash")
    func unicode() {
        let index = InMemoryEmailIndex([(name: "jose", email: "JOSÉ@exämple.de"), (name: "ren", email: "ÅSA@x.se")])
        #expect(Sample.findings(of: "user.email-unique", Sample.user(email: "josé@EXÄMPLE.DE", name: "j2"), index: index)
            == [#"spec.email: Duplicate value: "josé@EXÄMPLE.DE": already used by User "jose""#])
        // "å" written as "a" + combining ring (U+030A) is the same letter.
        let decomposed = "a\u{030A}sa@x.se"
        #expect(Sample.findings(of: "user.email-unique", Sample.user(email: decomposed, name: "r2"), index: index).count
            == 1)
    }

    @Test("a User never clashes with itself, on CREATE or on an UPDATE keeping its email")
    func ownEmail() {
        let user = Sample.user(email: "alice@example.com")
        #expect(Sample.findings(of: "user.email-unique", user, index: Self.index).isEmpty)
        #expect(Sample.findings(of: "user.email-unique", user, operation: .update, old: user, index: Self.index).isEmpty)
    }

    @Test("several holders are all named, sorted")
    func severalHolders() {
        let index = InMemoryEmailIndex([(name: "zed", email: "x@example.com"), (name: "amy", email: "X@example.com")])
        #expect(Sample.findings(of: "user.email-unique", Sample.user(email: "x@example.com"), index: index) == [
            #"spec.email: Duplicate value: "x@example.com": already used by Users "amy", "zed""#,
        ])
    }

    @Test("the index follows email changes and removals")
    func indexUpdates() {
        var index = InMemoryEmailIndex()
        index.upsert(name: "bob", email: "bob@example.com")
        index.upsert(name: "bob", email: "robert@example.com")
        #expect(index.userNames(forNormalizedEmail: "bob@example.com").isEmpty)
        #expect(index.userNames(forNormalizedEmail: "robert@example.com") == ["bob"])
        index.remove(name: "bob")
        #expect(index.userNames(forNormalizedEmail: "robert@example.com").isEmpty)
        #expect(!index.containsUser(named: "bob"))
        #expect(EmailNormalizer.normalize("  Straße@EXAMPLE.com\t") == "straße@example.com")
    }
}

@Suite("user.password-deprecated")
struct UserPasswordDeprecatedRuleTests {
    @Test("warns by default and never shows the value")
    func warns() {
        let object = Sample.user(spec: ["email": "alice@example.com", "password": "hunter2", "old_password": "pw1"])
        let evaluation = RuleEngine().validate(RuleSubject(kind: .user, object: object))
        #expect(evaluation.isAllowed)
        #expect(evaluation.warnings.map(\.message) == [
            "spec.old_password: Forbidden: deprecated: plain-text passwords must not be stored",
            "spec.password: Forbidden: deprecated: plain-text passwords must not be stored",
        ])
        #expect(!evaluation.warnings.map(\.message).joined().contains("hunter2"))
    }

    @Test("can be configured to deny")
    func denies() throws {
        let engine = RuleEngine(configuration: try RuleConfiguration(strings: ["user.password-deprecated": "deny"]))
        let object = Sample.user(spec: ["email": "alice@example.com", "password": ""])
        #expect(!engine.validate(RuleSubject(kind: .user, object: object)).isAllowed)
    }

    @Test("mutating removes both fields and reports names only")
    func scrubs() {
        let object = Sample.user(spec: ["email": "alice@example.com", "password": "hunter2", "old_password": "pw1"])
        let result = RuleEngine().mutate(RuleSubject(kind: .user, object: object))
        #expect(result.mutated == Sample.user(spec: ["email": "alice@example.com"]))
        #expect(result.mutations == [Mutation(
            rule: "user.password-deprecated",
            warning: "removed deprecated spec.password, spec.old_password: plain-text passwords are not stored",
            auditAnnotations: [AuditAnnotation(key: "scrubbed-fields", value: "spec.password,spec.old_password")]
        )])
    }
}

@Suite("user.state and user.state-consistency")
struct UserStateRuleTests {
    @Test("the four states are accepted; anything else is Unsupported")
    func states() {
        for state in ["active", "disabled", "locked", "invalid"] {
            let object = Sample.user(spec: ["email": "alice@example.com", "state": .string(state),
                                            "is_disabled": .bool(state == "disabled")])
            #expect(Sample.findings(object, engine: RuleEngine()).isEmpty)
        }
        #expect(Sample.findings(of: "user.state", Sample.user(spec: ["email": "a@b.c", "state": "sleeping"])) == [
            #"spec.state: Unsupported value: "sleeping": supported values: "active", "disabled", "locked", "invalid""#,
        ])
        #expect(Sample.findings(of: "user.state", Sample.user(spec: ["email": "a@b.c", "state": "Active"])).count == 1)
    }

    @Test(
        "is_disabled must agree with state, reported on spec.is_disabled",
        arguments: [
            ("active", true, #"spec.is_disabled: Invalid value: true: must be false when spec.state is "active""#),
            ("disabled", false, #"spec.is_disabled: Invalid value: false: must be true when spec.state is "disabled""#),
            ("locked", true, #"spec.is_disabled: Invalid value: true: must be false when spec.state is "locked""#),
        ]
    )
    func contradiction(state: String, isDisabled: Bool, message: String) {
        let object = Sample.user(spec: ["email": "a@b.c", "state": .string(state), "is_disabled": .bool(isDisabled)])
        #expect(Sample.findings(of: "user.state-consistency", object) == [message])
    }

    @Test("one of the pair alone is no contradiction")
    func halfSet() {
        #expect(Sample.findings(of: "user.state-consistency", Sample.user(spec: ["email": "a@b.c", "state": "active"]))
            .isEmpty)
        #expect(Sample.findings(of: "user.state-consistency", Sample.user(spec: ["email": "a@b.c", "is_disabled": true]))
            .isEmpty)
    }

    @Test(
        "mutating fills the missing one from the other, and only then",
        arguments: [
            (["state": "disabled"] as JSONValue, ["state": "disabled", "is_disabled": true] as JSONValue),
            (["state": "active"] as JSONValue, ["state": "active", "is_disabled": false] as JSONValue),
            (["state": "locked"] as JSONValue, ["state": "locked", "is_disabled": false] as JSONValue),
            (["is_disabled": true] as JSONValue, ["is_disabled": true, "state": "disabled"] as JSONValue),
            (["is_disabled": false] as JSONValue, ["is_disabled": false] as JSONValue),
            ([:] as JSONValue, [:] as JSONValue),
            (["state": "active", "is_disabled": true] as JSONValue,
             ["state": "active", "is_disabled": true] as JSONValue),
        ]
    )
    func fill(spec: JSONValue, expected: JSONValue) {
        let result = RuleEngine().mutate(RuleSubject(kind: .user, object: Sample.user(spec: spec)))
        #expect(result.mutated == Sample.user(spec: expected))
        // Idempotent: mutating the result changes nothing more.
        #expect(!RuleEngine().mutate(RuleSubject(kind: .user, object: result.mutated)).changed)
    }
}

@Suite("user.formats")
struct UserFormatsRuleTests {
    @Test(
        "RFC 3339 times",
        arguments: [
            ("2026-11-24T04:19:05Z", true), ("2026-11-24t04:19:05z", true), ("2026-11-24T04:19:05.123456+08:00", true),
            ("2024-02-29T00:00:00Z", true), ("2016-12-31T23:59:60Z", true),
            ("2026-02-29T00:00:00Z", false), ("2026-13-01T00:00:00Z", false), ("2026-11-24 04:19:05Z", false),
            ("2026-11-24T04:19:05", false), ("2026-11-24T24:00:00Z", false), ("2026-11-24T04:19:05.Z", false),
            ("2026-11-24T04:19:05+0800", false), ("yesterday", false), ("", false),
        ]
    )
    func times(time: String, valid: Bool) {
        let findings = Sample.findings(of: "user.formats", Sample.user(spec: ["email": "a@b.c", "last_login_time": .string(time)]))
        if valid {
            #expect(findings.isEmpty)
        } else {
            #expect(findings == [
                "spec.last_login_time: Invalid value: \(GoQuote.quote(time)): must be an RFC 3339 date-time such as \"2026-01-02T15:04:05Z\"",
            ])
        }
    }

    @Test(
        "webhook URLs are absolute https; the value is never printed",
        arguments: [
            ("https://hooks.example.com/services/T0/B0/secret", true), ("HTTPS://example.com", true),
            ("https://example.com:8443/x?y=1#z", true), ("https://[::1]:443/", true), ("https://user@host/", true),
            ("http://hooks.example.com/x?token=s3cr3t", false), ("https://", false), ("https:///path", false),
            ("https://host:0/", false), ("https://host:99999/", false), ("https://exa mple.com/", false),
            ("hooks.example.com/x", false), ("ftp://example.com", false),
        ]
    )
    func urls(url: String, valid: Bool) {
        let findings = Sample.findings(of: "user.formats", Sample.user(spec: ["email": "a@b.c", "webhookUrl": .string(url)]))
        #expect(findings == (valid ? [] : ["spec.webhookUrl: Invalid value: must be an absolute https URL"]))
    }

    @Test("groups have no empty or duplicate entries")
    func groups() {
        let object = Sample.user(spec: ["email": "a@b.c", "groups": ["devs", "", "ops", "devs", "  ", "Devs"]])
        #expect(Sample.findings(of: "user.formats", object) == [
            #"spec.groups[1]: Invalid value: "": must not be empty"#,
            #"spec.groups[3]: Duplicate value: "devs""#,
            #"spec.groups[4]: Invalid value: "  ": must not be empty"#,
        ])
    }

    @Test("groups are compared code point by code point, as RBAC compares them; any White_Space is blank")
    func groupsByCodePoint() {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        for count in [3, 40] {  // the look back and the set
            let filler = (0..<(count - 3)).map { JSONValue.string("g\($0)") }
            let object = Sample.user(spec: ["email": "a@b.c", "groups": .array(
                [.string(composed), .string(decomposed), .string("\u{2003}\u{85}")] + filler)])
            #expect(Sample.findings(of: "user.formats", object) == [
                #"spec.groups[2]: Invalid value: "\u2003\u0085": must not be empty"#,
            ])
        }
    }

    @Test("a blank group is empty or Unicode White_Space only; ASCII separators and format characters are not")
    func blankGroups() {
        for blank in ["", " ", "\t", "\n\r\u{0B}\u{0C}", "\u{85}", "\u{A0}\u{3000}", " \u{2003}"] {
            #expect(UserFormatsRule.isBlank(blank), "\(blank.debugDescription)")
        }
        for text in ["x", " x", "x ", "\u{1C}", "\u{1F}", "\u{200B}", "\u{2003}é"] {
            #expect(!UserFormatsRule.isBlank(text), "\(text.debugDescription)")
        }
    }

    @Test("at most 10,000 groups, with the apiserver's words for maxItems")
    func groupLimit() {
        let atLimit = (0..<UserFormatsRule.maximumGroups).map { JSONValue.string("g\($0)") }
        #expect(Sample.findings(of: "user.formats", Sample.user(spec: ["email": "a@b.c", "groups": .array(atLimit)]))
            .isEmpty)
        let past = Sample.user(spec: ["email": "a@b.c", "groups": .array(atLimit + ["extra"])])
        #expect(Sample.findings(of: "user.formats", past) == [
            "spec.groups: Too many: 10001: must have at most 10000 items",
        ])
    }
}

@Suite("user.name-hash")
struct UserNameHashRuleTests {
    @Test("the name is the MD5 of the normalized email")
    func hash() {
        #expect(UserNameHashRule.expectedName(forEmail: "alice@example.com") == "c160f8cc69a4f0bf2b0362752353d060")
        #expect(UserNameHashRule.expectedName(forEmail: " Alice@Example.com ") == "c160f8cc69a4f0bf2b0362752353d060")
        #expect(Sample.findings(of: "user.name-hash", Sample.user(email: "alice@example.com",
                                                                   name: "c160f8cc69a4f0bf2b0362752353d060")).isEmpty)
        #expect(Sample.findings(of: "user.name-hash", Sample.user(email: "alice@example.com")) == [
            #"metadata.name: Invalid value: "alice": must be md5 of the lowercased spec.email: "c160f8cc69a4f0bf2b0362752353d060""#,
        ])
    }

    @Test("off by default")
    func offByDefault() {
        #expect(Sample.findings(Sample.user(email: "alice@example.com"), engine: RuleEngine()).isEmpty)
    }
}
