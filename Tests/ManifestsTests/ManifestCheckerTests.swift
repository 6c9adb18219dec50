import IdentityRules
import Manifests
import Testing

@Suite("Manifest checker: all files together, positions, counting")
struct ManifestCheckerTests {
    static func user(_ name: String, _ email: String, extra: String = "") -> String {
        """
        apiVersion: auth.alauda.io/v1
        kind: User
        metadata:
          name: \(name)
        spec:
          email: \(email)\(extra)

        """
    }

    @Test("an email clash across files names both places; a User never clashes with itself")
    func emailAcrossFiles() {
        let files = [
            ManifestLoader.parse(text: Self.user("alice", "Alice@X.io"), name: "a.yaml", path: nil),
            ManifestLoader.parse(text: "---\n" + Self.user("bob", " alice@x.io"), name: "b.yaml", path: nil),
            ManifestLoader.parse(text: Self.user("carol", "carol@x.io"), name: "c.yaml", path: nil),
        ]
        let report = ManifestChecker().check(files)
        #expect(report.findings.map { "\($0.place): \($0.rule): \($0.message)" } == [
            "a.yaml:6:3: user.email-unique: spec.email: Duplicate value: \"Alice@X.io\": already used by User \"bob\""
                + " (b.yaml:7:3)",
            "b.yaml:7:3: user.email-unique: spec.email: Duplicate value: \"alice@x.io\": already used by User"
                + " \"alice\" (a.yaml:6:3)",
        ])
        #expect(report.summary == CheckSummary(documents: 3, checked: 3, skipped: 0, denied: 2, warnings: 0))
        #expect(report.exitStatus == 1)
    }

    @Test("identity.user-exists, when enabled, looks at the Users of the set")
    func userExists() throws {
        let identity = """
            apiVersion: user.openshift.io/v1
            kind: Identity
            metadata:
              name: gh:ghost
            providerName: gh
            providerUserName: ghost
            user:
              name: ghost
              uid: "1"
            ---
            apiVersion: user.openshift.io/v1
            kind: Identity
            metadata:
              name: gh:alice
            providerName: gh
            providerUserName: alice
            user:
              name: alice
              uid: "2"

            """
        let files = [
            ManifestLoader.parse(text: Self.user("alice", "a@x.io"), name: "u.yaml", path: nil),
            ManifestLoader.parse(text: identity, name: "i.yaml", path: nil),
        ]
        let configuration = try RuleConfiguration(overrides: ["identity.user-exists": .deny])
        let report = ManifestChecker(engine: RuleEngine(configuration: configuration)).check(files)
        #expect(report.findings.map { "\($0.place): \($0.message)" }
            == ["i.yaml:8:3: user.name: Invalid value: \"ghost\": no User named \"ghost\" exists"])
    }

    @Test("denied and warned partition the checked documents; other kinds and errors are counted apart")
    func counting() {
        let files = [
            ManifestLoader.parse(text: Self.user("a", "a@x.io", extra: "\n  password: p"), name: "w.yaml", path: nil),
            ManifestLoader.parse(text: Self.user("b", "b@x.io", extra: "\n  password: p\n  state: zz"),
                                 name: "d.yaml", path: nil),
            ManifestLoader.parse(text: "kind: Secret\n---\n- 1\n", name: "o.yaml", path: nil),
            ManifestLoader.parse(text: "a: [", name: "e.yaml", path: nil),
        ]
        let report = ManifestChecker().check(files)
        #expect(report.summary == CheckSummary(documents: 4, checked: 2, skipped: 2, denied: 1, warnings: 1))
        #expect(report.errors.map(\.file) == ["e.yaml"])
        #expect(report.exitStatus == 2)
    }
}
