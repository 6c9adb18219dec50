import IdentityGuardTesting
import Foundation
import KubeJSON
import Testing

/// Exemptions offline, through the shipped binary: `users` and `labels` apply, `requesters` never do (and
/// `check` says so once), exempted findings are told but neither deny nor warn, in every format; `mutate`
/// leaves exempted repairs undone; a bad exemptions file is refused naming its line.
@Suite("check and mutate with exemptions")
struct ExemptionCommandTests {
    static let configuration = """
        rules:
          user.password-deprecated: warn
        exemptions:
          - name: break-glass
            rules: [user.state, user.email-unique]
            users: [alice]
          - name: migration
            rules: [user.password-deprecated, user.state-consistency]
            labels: {identity-guard.io/migration: "true"}
          - name: installer
            rules: ["*"]
            requesters: ["system:serviceaccount:cpaas-system:installer"]

        """

    static let bob = """
        apiVersion: auth.alauda.io/v1
        kind: User
        metadata:
          name: bob
          labels:
            identity-guard.io/migration: "true"
        spec:
          email: Alice@Example.com
          password: hunter2
          state: disabled

        """

    static let files = ["alice.yaml": ManifestFixtures.alice, "bob.yaml": bob, "exemptions.yaml": configuration]
    static let note = "identity-guard: note: exemption \"installer\" selects on requesters and does not apply "
        + "offline (there is no request)\n"

    @Test("text: exempted findings end in (exempted by NAME), count as exempted, not denied or warned")
    func text() throws {
        let fixtures = try ManifestFixtures(Self.files)
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "--config", "exemptions.yaml", "alice.yaml", "bob.yaml"])
        #expect(result.standardOutput == """
            alice.yaml:6:3: user.email-unique: spec.email: Duplicate value: "alice@example.com": already used by User "bob" (bob.yaml:8:3) (exempted by "break-glass")
            alice.yaml:7:3: user.state: spec.state: Unsupported value: "sleeping": supported values: "active", "disabled", "locked", "invalid" (exempted by "break-glass")
            bob.yaml:8:3: user.email-unique: spec.email: Duplicate value: "Alice@Example.com": already used by User "alice" (alice.yaml:6:3)
            bob.yaml:9:3: user.password-deprecated: spec.password: Forbidden: deprecated: plain-text passwords must not be stored (exempted by "migration")
            2 documents, 2 checked, 0 skipped, 1 denied, 0 warnings, 3 exempted

            """)
        #expect(result.standardError == Self.note)
        #expect(result.status == 1)

        // alice alone: everything it breaks is exempted, so it passes.
        let alone = try fixtures.run(["check", "--config", "exemptions.yaml", "alice.yaml"])
        #expect(alone.standardOutput.hasSuffix("1 documents, 1 checked, 0 skipped, 0 denied, 0 warnings, 1 exempted\n"))
        #expect(alone.status == 0)
        // Without the configuration nothing is exempted and the summary line is what it always was.
        let plain = try fixtures.run(["check", "alice.yaml"])
        #expect(plain.standardOutput.hasSuffix("1 documents, 1 checked, 0 skipped, 1 denied, 0 warnings\n"))
        #expect(plain.standardError.isEmpty)
    }

    @Test("json, sarif, junit: the exemption in each format's own terms")
    func formats() throws {
        let fixtures = try ManifestFixtures(Self.files)
        defer { fixtures.remove() }
        let arguments = ["--config", "exemptions.yaml", "alice.yaml", "bob.yaml"]
        let json = try JSONReader.parse(Array(try fixtures.run(["check", "--format", "json"] + arguments)
            .standardOutput.utf8))
        #expect(json["summary"] == ["documents": 2, "checked": 2, "skipped": 0, "denied": 1, "warnings": 0,
                                    "exempted": 3])
        let results = json["results"]?.arrayValue ?? []
        #expect(results.map { $0["exempted"]?.stringValue ?? "-" } == ["break-glass", "break-glass", "-", "migration"])

        let sarif = try JSONReader.parse(Array(try fixtures.run(["check", "--format", "sarif"] + arguments)
            .standardOutput.utf8))
        let sarifResults = sarif["runs"]?.arrayValue?.first?["results"]?.arrayValue ?? []
        #expect(sarifResults.count == 4)
        #expect(sarifResults[3]["suppressions"] == [[
            "kind": "external", "status": "accepted", "justification": #"exempted by "migration""#,
        ]])
        #expect(sarifResults[2]["suppressions"] == nil)

        let junit = try fixtures.run(["check", "--format", "junit"] + arguments).standardOutput
        #expect(junit.contains(#"<testsuite name="alice.yaml" tests="1" failures="0" errors="0" skipped="0">"#))
        #expect(junit.contains("      <system-out>bob.yaml:9:3: user.password-deprecated: spec.password: Forbidden: "
            + "deprecated: plain-text passwords must not be stored (exempted by &quot;migration&quot;)</system-out>"))
    }

    @Test("mutate: an exempted repair is not made, and stderr says which exemption kept it")
    func mutate() throws {
        let fixtures = try ManifestFixtures(Self.files)
        defer { fixtures.remove() }
        let result = try fixtures.run(["mutate", "--config", "exemptions.yaml", "bob.yaml"])
        #expect(result.status == 0)
        #expect(result.standardOutput == Self.bob.replacing("\n\n", with: "\n"))
        #expect(result.standardError == Self.note + "bob.yaml:1:1: user.password-deprecated, user.state-consistency: "
            + "not applied (exempted by \"migration\")\n")
    }

    @Test("a bad exemptions file is refused with its line and column, exit 2", arguments: [
        ("exemptions:\n  - name: a\n    rules: [\"*\"]\n    users: [a]\n  - name: a\n    rules: [\"*\"]\n    users: [b]\n",
         #"bad.yaml:5:5: invalid configuration: exemption "a" is named twice; names must be unique"#),
        ("exemptions:\n  - name: a\n    rules: [user.state, user.nope]\n    users: [a]\n",
         #"bad.yaml:3:25: unknown rule id "user.nope" in exemption "a"; known rules: user.schema"#),
        ("exemptions:\n  - name: a\n    rules: [\"*\"]\n    usres: [a]\n",
         #"bad.yaml:4:5: invalid configuration: exemption "a": unknown key "usres""#),
        ("exemptions:\n  - name: a\n    rules: [\"*\"]\n",
         #"bad.yaml:2:5: invalid configuration: exemption "a" names no selector"#),
    ])
    func refused(file: String, message: String) throws {
        let fixtures = try ManifestFixtures(["bad.yaml": file, "alice.yaml": ManifestFixtures.alice])
        defer { fixtures.remove() }
        for command in ["check", "mutate"] {
            let result = try fixtures.run([command, "--config", "bad.yaml", "alice.yaml"])
            #expect(result.status == 2)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError.hasPrefix("identity-guard: " + message), "\(result.standardError)")
        }
    }
}
