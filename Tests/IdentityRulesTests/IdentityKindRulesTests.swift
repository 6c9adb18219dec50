import IdentityRules
import Testing
import KubeJSON

@Suite("Identity rules")
struct IdentityKindRulesTests {
    @Test("a complete Identity passes every rule")
    func valid() {
        let identity = Sample.identity(extra: [("extra", ["email": "alice@example.com", "name": "Alice"])])
        let index = InMemoryEmailIndex([(name: "alice", email: "alice@example.com")])
        #expect(Sample.findings(identity, kind: .identity, index: index).isEmpty)
    }

    @Test("identity.schema: unknown fields at every level, extra values, ObjectReference fields")
    func schema() {
        let identity = Sample.identity(
            user: ["name": "alice", "uid": "u-1", "foo": "bar", "namespace": 3],
            extra: [("extra", ["team": "a", "level": 3]), ("spec", ["x": 1])]
        )
        #expect(Sample.findings(of: "identity.schema", identity, kind: .identity) == [
            "extra[level]: Invalid value: 3: must be of type string",
            "spec: Forbidden: field not declared in schema",
            "user.foo: Forbidden: field not declared in schema",
            "user.namespace: Invalid value: 3: must be of type string",
        ])
        let mistyped = Sample.identity(providerName: 1, user: "alice")
        #expect(Sample.findings(of: "identity.schema", mistyped, kind: .identity) == [
            "providerName: Invalid value: 1: must be of type string",
            #"user: Invalid value: "alice": must be of type object"#,
        ])
    }

    @Test("identity.required: OpenShift's messages")
    func required() {
        #expect(Sample.findings(of: "identity.required", Sample.identity(providerName: nil, providerUserName: "",
                                                                         user: nil), kind: .identity) == [
            "providerName: Required value",
            "providerUserName: Required value",
            "user: Required value",
        ])
        #expect(Sample.findings(of: "identity.required", Sample.identity(user: ["name": "alice"]), kind: .identity) == [
            "user.uid: Required value: uid is required when username is provided",
        ])
        #expect(Sample.findings(of: "identity.required", Sample.identity(user: ["uid": "u-1", "name": ""]),
                                kind: .identity) == [
            "user.name: Required value: username is required when uid is provided",
        ])
        #expect(Sample.findings(of: "identity.required", Sample.identity(user: [:]), kind: .identity) == [
            "user.name: Required value",
            "user.uid: Required value",
        ])
    }

    @Test(
        "identity.name: OpenShift's path-segment rules",
        arguments: [
            (".", "alice", "providerName: Invalid value: \".\": may not be '.'"),
            ("..", "alice", "providerName: Invalid value: \"..\": may not be '..'"),
            ("git/hub", "alice", "providerName: Invalid value: \"git/hub\": may not contain '/'"),
            ("git%hub", "alice", "providerName: Invalid value: \"git%hub\": may not contain '%'"),
            ("a/%b", "alice", "providerName: Invalid value: \"a/%b\": may not contain '/', may not contain '%'"),
            ("git:hub", "alice", #"providerName: Invalid value: "git:hub": may not contain ":""#),
            ("github", "~", #"providerUserName: Invalid value: "~": may not equal "~""#),
            ("github", "a:b", #"providerUserName: Invalid value: "a:b": may not contain ":""#),
            ("github", "..", "providerUserName: Invalid value: \"..\": may not be '..'"),
            ("github", "a/b", "providerUserName: Invalid value: \"a/b\": may not contain '/'"),
        ]
    )
    func names(providerName: String, providerUserName: String, message: String) {
        let identity = Sample.identity(name: "\(providerName):\(providerUserName)",
                                       providerName: .string(providerName), providerUserName: .string(providerUserName))
        #expect(Sample.findings(of: "identity.name", identity, kind: .identity) == [message])
    }

    @Test("identity.name: the name is providerName:providerUserName, user.name is a user name, no namespace")
    func identityName() {
        var identity = Sample.identity(name: "github:bob", user: ["name": "~", "uid": "u-1"])
        var metadata = identity["metadata"]!.objectValue!
        metadata["namespace"] = "default"
        identity["metadata"] = .object(metadata)
        #expect(Sample.findings(of: "identity.name", identity, kind: .identity) == [
            #"metadata.name: Invalid value: "github:bob": must be github:alice"#,
            "metadata.namespace: Forbidden: not allowed on this type",
            #"user.name: Invalid value: "~": may not equal "~""#,
        ])
    }

    @Test("identity.immutable: provider fields do not change on UPDATE")
    func immutable() {
        let old = Sample.identity()
        let renamed = Sample.identity(name: "gitlab:al", providerName: "gitlab", providerUserName: "al")
        #expect(Sample.findings(of: "identity.immutable", renamed, kind: .identity, operation: .update, old: old) == [
            #"providerName: Invalid value: "gitlab": may not change providerName"#,
            #"providerUserName: Invalid value: "al": may not change providerUserName"#,
        ])
        #expect(Sample.findings(of: "identity.immutable", renamed, kind: .identity, operation: .create).isEmpty)
        let relinked = Sample.identity(user: ["name": "alice2", "uid": "u-2"])
        #expect(Sample.findings(of: "identity.immutable", relinked, kind: .identity, operation: .update, old: old)
            .isEmpty)
    }

    @Test("identity.user-exists: only when enabled, against the known Users")
    func userExists() {
        let identity = Sample.identity()
        #expect(Sample.findings(of: "identity.user-exists", identity, kind: .identity) == [
            #"user.name: Invalid value: "alice": no User named "alice" exists"#,
        ])
        let index = InMemoryEmailIndex([(name: "alice", email: "alice@example.com")])
        #expect(Sample.findings(of: "identity.user-exists", identity, kind: .identity, index: index).isEmpty)
        #expect(Sample.findings(identity, kind: .identity, engine: RuleEngine()).isEmpty)
    }
}
