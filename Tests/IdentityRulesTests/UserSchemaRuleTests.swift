import KubeJSON
import IdentityRules
import Testing

@Suite("user.schema")
struct UserSchemaRuleTests {
    @Test("a User with every declared field of the right type passes")
    func allFieldsValid() {
        let spec: JSONValue = [
            "account": "alice", "connector_id": "ldap-1", "connector_name": "Corp LDAP", "connector_type": "ldap",
            "continuity_errors": 0, "email": "alice@example.com", "expired": ["from": "2026-01-01"],
            "extra": ["department": ["eng"]], "groups": ["devs", "ops"], "ids": [["system": "hr", "id": "42"]],
            "is_admin": false, "is_disabled": false, "last_login_time": "2026-11-24T04:19:05Z",
            "mail": "a@example.org", "mobile": "+1 555 0100", "state": "active", "username": "Alice",
            "valid": true, "webhookType": "slack", "webhookUrl": "https://hooks.example.com/T000/B000",
        ]
        #expect(Sample.findings(of: "user.schema", Sample.user(spec: spec, extra: [("status", ["phase": "x"])]))
            .isEmpty)
        #expect(UserSchemaRule.specSchema.fields.count == 22)
    }

    @Test("a schema finds each declared field by name — the first of a repeated name — and no other name")
    func fieldLookup() {
        for schema in [UserSchemaRule.specSchema, UserSchemaRule.objectSchema] {
            for field in schema.fields { #expect(schema.field(named: field.name) == field, "\(field.name)") }
            // Same lengths as declared names, one byte off; shorter, longer and empty names; a name's prefix.
            for field in schema.fields {
                let name = field.name
                var changed = Array(name.utf8)
                changed[changed.count - 1] ^= 0x20
                for other in [String(decoding: changed, as: UTF8.self), String(name.dropLast()), name + "s",
                              name.uppercased()] where !schema.fields.contains(where: { $0.name == other }) {
                    #expect(schema.field(named: other) == nil, "\(other)")
                }
            }
            #expect(schema.field(named: "") == nil)
            #expect(schema.field(named: String(repeating: "x", count: 200)) == nil)
        }
        let repeated = ObjectSchema([.init("b", .string), .init("aa", .integer), .init("a", .boolean),
                                     .init("aa", .object), .init("ccc", .string)])
        #expect(repeated.field(named: "aa")?.type == .integer)
        #expect(repeated.field(named: "a")?.type == .boolean)
        #expect(repeated.field(named: "b")?.type == .string)
        #expect(repeated.field(named: "ccc")?.type == .string)
        #expect(repeated.field(named: "c") == nil)
        #expect(ObjectSchema([]).field(named: "a") == nil)
    }

    @Test("unknown fields are named with their full path, at every level")
    func unknownFields() {
        let object = Sample.user(
            spec: ["email": "alice@example.com", "nickname": "al", "isAdmin": true],
            extra: [("secrets", ["a": 1])]
        )
        #expect(Sample.findings(of: "user.schema", object) == [
            "secrets: Forbidden: field not declared in schema",
            "spec.isAdmin: Forbidden: field not declared in schema",
            "spec.nickname: Forbidden: field not declared in schema",
        ])
    }

    @Test(
        "wrong types are reported with the apiserver's wording",
        arguments: [
            ("is_admin", JSONValue.string("true"), #"spec.is_admin: Invalid value: "true": must be of type boolean"#),
            ("valid", .integer(1), "spec.valid: Invalid value: 1: must be of type boolean"),
            ("continuity_errors", .float(literal: "1.0"),
             "spec.continuity_errors: Invalid value: 1.0: must be of type integer"),
            ("continuity_errors", .string("3"), #"spec.continuity_errors: Invalid value: "3": must be of type integer"#),
            ("continuity_errors", .bool(true), "spec.continuity_errors: Invalid value: true: must be of type integer"),
            ("username", .integer(7), "spec.username: Invalid value: 7: must be of type string"),
            ("groups", .string("devs"), #"spec.groups: Invalid value: "devs": must be of type array"#),
            ("ids", ["a": 1] as JSONValue, #"spec.ids: Invalid value: "object": must be of type array"#),
            ("expired", .array([]), #"spec.expired: Invalid value: "array": must be of type object"#),
            ("extra", .string("x"), #"spec.extra: Invalid value: "x": must be of type object"#),
        ]
    )
    func wrongTypes(field: String, value: JSONValue, message: String) {
        let object = Sample.user(spec: ["email": "alice@example.com", field: value])
        #expect(Sample.findings(of: "user.schema", object) == [message])
    }

    @Test("list elements are checked one by one")
    func listElements() {
        let object = Sample.user(spec: ["email": "alice@example.com", "groups": ["a", "b", 3, ["x": 1]],
                                        "ids": [["id": 1], "two"]])
        #expect(Sample.findings(of: "user.schema", object) == [
            "spec.groups[2]: Invalid value: 3: must be of type string",
            #"spec.groups[3]: Invalid value: "object": must be of type string"#,
            #"spec.ids[1]: Invalid value: "two": must be of type object"#,
        ])
    }

    @Test("secret fields never show their value, even when mistyped")
    func secretValuesHidden() {
        let object = Sample.user(spec: ["email": "alice@example.com", "password": 123456, "old_password": true])
        let findings = Sample.findings(of: "user.schema", object)
        #expect(findings == [
            #"spec.old_password: Invalid value: "boolean": must be of type string"#,
            #"spec.password: Invalid value: "integer": must be of type string"#,
        ])
        #expect(!findings.joined().contains("123456"))
    }

    @Test("continuity_errors is not negative")
    func negativeCount() {
        let object = Sample.user(spec: ["email": "alice@example.com", "continuity_errors": -1])
        #expect(Sample.findings(of: "user.schema", object) == [
            "spec.continuity_errors: Invalid value: -1: must be greater than or equal to 0",
        ])
    }

    @Test("top-level fields have their types; null counts as absent")
    func topLevel() {
        let object = Sample.user(spec: .string("nope"), extra: [("status", .null), ("kind", 1)])
        #expect(Sample.findings(of: "user.schema", object) == [
            "kind: Invalid value: 1: must be of type string",
            #"spec: Invalid value: "nope": must be of type object"#,
        ])
    }

    @Test("a User is cluster-scoped")
    func namespace() {
        var object = Sample.user()
        object["metadata"] = ["name": "alice", "namespace": "default"]
        #expect(Sample.findings(of: "user.schema", object) == ["metadata.namespace: Forbidden: not allowed on this type"])
        object["metadata"] = ["name": "alice", "namespace": ""]
        #expect(Sample.findings(of: "user.schema", object).isEmpty)
    }

    @Test("duplicate keys are a violation wherever they are")
    func duplicateKeys() throws {
        let text = #"""
            {"apiVersion": "auth.alauda.io/v1", "kind": "User",
             "metadata": {"name": "alice", "labels": {"team": "a", "team": "b"}},
             "spec": {"email": "alice@example.com", "email": "eve@example.com", "extra": {"k": 1, "k": 2}}}
            """#
        let object = try #require(try JSONReader.parse(text).objectValue)
        #expect(Sample.findings(of: "user.schema", object) == [
            #"metadata.labels[team]: Duplicate value: "team": key appears more than once"#,
            #"spec.email: Duplicate value: "email": key appears more than once"#,
            #"spec.extra.k: Duplicate value: "k": key appears more than once"#,
        ])
    }
}
