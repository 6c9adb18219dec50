import ClusterAudit
import IdentityRules
import KubeJSON
import Testing

/// Stored objects as the apiserver lists them.
enum Stored {
    static func user(_ name: String, _ spec: JSONValue) -> JSONObject {
        JSONObject([
            .init(key: "apiVersion", value: "auth.alauda.io/v1"), .init(key: "kind", value: "User"),
            .init(key: "metadata", value: ["name": .string(name), "uid": .string("uid-" + name)]),
            .init(key: "spec", value: spec),
        ])
    }

    static func identity(_ user: String, uid: String) -> JSONObject {
        JSONObject([
            .init(key: "apiVersion", value: "user.openshift.io/v1"), .init(key: "kind", value: "Identity"),
            .init(key: "metadata", value: ["name": .string("github:" + user), "uid": .string("uid-id-" + user)]),
            .init(key: "providerName", value: "github"), .init(key: "providerUserName", value: .string(user)),
            .init(key: "user", value: ["name": .string(user), "uid": .string(uid)]),
        ])
    }

    static let users = [
        user("dup-b", ["email": "dup@example.com"]),
        user("dup-a", ["email": "Dup@example.com", "state": "sleeping"]),
        user("alice", ["email": "alice@example.com"]),
    ]
    static let identities = [
        identity("alice", uid: "uid-alice"),
        identity("ghost", uid: "uid-ghost"),
        identity("dup-a", uid: "not-dup-a"),
    ]
}

@Suite("Cluster audit: stored objects named as themselves, checks across objects over an index")
struct ClusterAuditorTests {
    static func lines(_ report: FindingReport) -> [String] {
        report.findings.map { "\($0.place): \($0.rule): \($0.message)" }
    }

    @Test("a finding names its stored object — kind, name, uid — and has no file or position")
    func namesObjects() throws {
        let report = ClusterAuditor().audit(users: Stored.users, identities: [])
        let finding = try #require(report.findings.first)
        #expect(finding.object == ObjectReference(apiVersion: "auth.alauda.io/v1", kind: "User", name: "dup-a",
                                                  uid: "uid-dup-a"))
        #expect(finding.location == nil)
        #expect(report.sections.map(\.name) == ["cluster:User", "cluster:Identity"])
        #expect(report.sections[0].verdicts.map(\.object.name) == ["alice", "dup-a", "dup-b"])
        #expect(report.sections[0].verdicts.map(\.ordinal) == [1, 2, 3])
    }

    @Test("the checks across objects, each under its rule id, in field order among the object's own findings")
    func crossObject() {
        let report = ClusterAuditor().audit(users: Stored.users, identities: Stored.identities)
        #expect(Self.lines(report) == [
            #"cluster:User/dup-a: user.email-unique: spec.email: Duplicate value: "Dup@example.com": already "#
                + #"used by User "dup-b""#,
            #"cluster:User/dup-a: user.state: spec.state: Unsupported value: "sleeping": supported values: "#
                + #""active", "disabled", "locked", "invalid""#,
            #"cluster:User/dup-b: user.email-unique: spec.email: Duplicate value: "dup@example.com": already "#
                + #"used by User "dup-a""#,
            #"cluster:Identity/github:dup-a: identity.user-exists: user.uid: Invalid value: "not-dup-a": does not "#
                + #"match the uid of User "dup-a" (uid-dup-a)"#,
            #"cluster:Identity/github:ghost: identity.user-exists: user.name: Invalid value: "ghost": no User "#
                + #"named "ghost" exists"#,
        ])
        #expect(report.summary == CheckSummary(documents: 6, checked: 6, skipped: 0, denied: 4, warnings: 0))
        #expect(report.exitStatus == 1)
    }

    @Test("the configuration's enforcement rules the checks across objects: warn, or off")
    func configured() throws {
        let warn = try RuleConfiguration(overrides: ["user.email-unique": .warn, "identity.user-exists": .warn])
        let warned = ClusterAuditor(configuration: warn).audit(users: Stored.users, identities: Stored.identities)
        #expect(warned.findings.filter { $0.rule != "user.state" }.map(\.enforcement) == [.warn, .warn, .warn, .warn])
        #expect(warned.summary.denied == 1)
        let off = try RuleConfiguration(overrides: ["user.email-unique": .off, "identity.user-exists": .off])
        let auditor = ClusterAuditor(configuration: off)
        #expect(Self.lines(auditor.audit(users: Stored.users, identities: Stored.identities)).map { $0.prefix(30) }
            == ["cluster:User/dup-a: user.state"])
        #expect(auditor.configuration.enforcement(for: "identity.user-exists") == .off)
        #expect(ClusterAuditor().configuration.enforcement(for: "identity.user-exists") == .deny)
    }

    @Test("one object at a time against an index filled one User at a time gives the whole audit's verdicts")
    func objectAtATime() {
        let auditor = ClusterAuditor()
        var index = StoredUserIndex()
        for user in Stored.users { index.add(user: user) }
        let whole = auditor.audit(users: Stored.users, identities: Stored.identities)
        let one = auditor.verdict(on: Stored.identities[2], kind: .identity, ordinal: 1, index: index)
        #expect(one.findings == whole.sections[1].verdicts[1].findings)
        #expect(!one.findings.isEmpty)
        #expect(one.object.name == "github:dup-a")
    }

    @Test("the index keeps names, emails and uids of stored Users, not the objects")
    func index() {
        var index = StoredUserIndex(users: Stored.users)
        index.add(user: JSONObject([.init(key: "spec", value: ["email": "nameless@example.com"])]))
        #expect(index.userCount == 3)
        #expect(index.userNames(forNormalizedEmail: "dup@example.com").sorted() == ["dup-a", "dup-b"])
        #expect(index.userNames(forNormalizedEmail: "nameless@example.com").isEmpty)
        #expect(index.containsUser(named: "alice"))
        #expect(!index.containsUser(named: "ghost"))
        #expect(index.uid(ofUser: "alice") == "uid-alice")
        #expect(index.uid(ofUser: "ghost") == nil)
    }

    @Test("the compact index (hashes, UUIDs, shared emails only) answers as the index of strings does")
    func compactIndex() {
        // Uids as Kubernetes writes them, in capitals, not UUIDs at all, and absent; shared and unique emails.
        let uids: [String?] = ["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E0-4F89-11D3-9A0C-0305E82C3302",
                               "uid-7", nil]
        var users: [JSONObject] = []
        for index in 0..<40 {
            var metadata: [JSONObject.Member] = [.init(key: "name", value: .string("u\(index)"))]
            if let uid = uids[index % 4] { metadata.append(.init(key: "uid", value: .string(uid))) }
            let email: JSONValue = index % 7 == 0 ? "Shared@Example.com" : index % 9 == 0 ? .null
                : .string("u\(index)@example.com")
            users.append(JSONObject([
                .init(key: "apiVersion", value: "auth.alauda.io/v1"), .init(key: "kind", value: "User"),
                .init(key: "metadata", value: .object(JSONObject(metadata))), .init(key: "spec", value: ["email": email]),
            ]))
        }
        let strings = StoredUserIndex(users: users)
        var compact = CompactStoredUsers()
        for user in users { compact.count(user: user) }
        for user in users { compact.collect(user: user) }
        #expect(compact.userCount == strings.userCount)
        for name in (0..<45).map({ "u\($0)" }) {
            #expect(compact.containsUser(named: name) == strings.containsUser(named: name), "\(name)")
            #expect(compact.uid(ofUser: name) == strings.uid(ofUser: name), "\(name)")
        }
        #expect(compact.userNames(forNormalizedEmail: "shared@example.com").sorted()
            == strings.userNames(forNormalizedEmail: "shared@example.com").sorted())
        #expect(compact.userNames(forNormalizedEmail: "shared@example.com").count == 6)
        // A unique email is not kept: its only holder is the User itself, which never clashes with itself.
        #expect(compact.userNames(forNormalizedEmail: "u1@example.com").isEmpty)

        let auditor = ClusterAuditor()
        let identities = users.prefix(8).enumerated().map { offset, user in
            Stored.identity(user["metadata"]?["name"]?.stringValue ?? "", uid: offset == 5 ? "wrong" : "x")
        }
        for (kind, objects) in [(ResourceKind.user, users), (.identity, identities)] {
            for object in objects {
                #expect(auditor.verdict(on: object, kind: kind, ordinal: 1, index: compact)
                    == auditor.verdict(on: object, kind: kind, ordinal: 1, index: strings))
            }
        }
    }
}
