import KubeJSON
import IdentityGuardTesting
import Foundation
import IdentityGuardCLI
import IdentityRules
import Testing

@Suite("identity-guard check: exact output and exit status of every format", .timeLimit(.minutes(5)))
struct CheckCommandTests {
    static let files = ["users/alice.yaml": ManifestFixtures.alice, "users/bob.yaml": ManifestFixtures.bob,
                        "lists/carol.yml": ManifestFixtures.carol, "notes.txt": "not read in directories"]

    static let expectedText = """
        lists/carol.yml:10:5: user.password-deprecated: spec.password: Forbidden: deprecated: plain-text passwords \
        must not be stored
        users/alice.yaml:6:3: user.email-unique: spec.email: Duplicate value: "alice@example.com": already used by \
        User "bob" (users/bob.yaml:7:3)
        users/alice.yaml:7:3: user.state: spec.state: Unsupported value: "sleeping": supported values: "active", \
        "disabled", "locked", "invalid"
        users/bob.yaml:7:3: user.email-unique: spec.email: Duplicate value: "Alice@Example.com": already used by \
        User "alice" (users/alice.yaml:6:3)
        users/bob.yaml:8:3: user.password-deprecated: spec.password: Forbidden: deprecated: plain-text passwords \
        must not be stored
        5 documents, 4 checked, 1 skipped, 2 denied, 1 warnings

        """

    @Test("text, in process and as a subprocess: a directory, exit 1")
    func text() async throws {
        let fixtures = try ManifestFixtures(Self.files)
        defer { fixtures.remove() }
        let outcome = await CheckCommand.execute(paths: [fixtures.directory + "/"])
        #expect(fixtures.relative(outcome.standardOutput) == Self.expectedText)
        #expect(outcome.standardError.isEmpty)
        #expect(outcome.status == 1)
        let result = try fixtures.run(["check", "lists", "users"])
        #expect(result.standardOutput == Self.expectedText)
        #expect(result.standardError.isEmpty)
        #expect(result.status == 1)
    }

    @Test("clean input exits 0 with only the summary; warnings alone do not fail")
    func clean() throws {
        let fixtures = try ManifestFixtures(["dave.yaml": ManifestFixtures.clean, "carol.yaml": ManifestFixtures.carol])
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "dave.yaml"])
        #expect(result.standardOutput == "1 documents, 1 checked, 0 skipped, 0 denied, 0 warnings\n")
        #expect(result.status == 0)
        let warned = try fixtures.run(["check", "carol.yaml"])
        #expect(warned.status == 0)
        #expect(warned.standardOutput.hasSuffix("2 documents, 2 checked, 0 skipped, 0 denied, 1 warnings\n"))
    }

    @Test("json: exactly the documented keys")
    func json() async throws {
        let fixtures = try ManifestFixtures(["alice.yaml": ManifestFixtures.alice, "dave.yaml": ManifestFixtures.clean])
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "--format", "json", "alice.yaml", "dave.yaml"])
        #expect(result.status == 1)
        #expect(result.standardOutput == """
            {
              "summary": {
                "documents": 2,
                "checked": 2,
                "skipped": 0,
                "denied": 1,
                "warnings": 0
              },
              "results": [
                {
                  "file": "alice.yaml",
                  "line": 7,
                  "column": 3,
                  "document": 1,
                  "kind": "User",
                  "name": "alice",
                  "rule": "user.state",
                  "enforcement": "deny",
                  "field": "spec.state",
                  "message": "spec.state: Unsupported value: \\"sleeping\\": supported values: \\"active\\", \
            \\"disabled\\", \\"locked\\", \\"invalid\\""
                }
              ]
            }

            """)
        let inProcess = await CheckCommand.execute(paths: [fixtures.path("alice.yaml"), fixtures.path("dave.yaml")],
                                                   format: .json)
        #expect(fixtures.relative(inProcess.standardOutput) == result.standardOutput)
    }

    @Test("sarif 2.1.0: rules with levels, results with locations")
    func sarif() throws {
        let fixtures = try ManifestFixtures(["bob.yaml": ManifestFixtures.bob])
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "--format", "sarif", "bob.yaml"])
        #expect(result.status == 0)
        let log = try JSONReader.parse(result.standardOutput)
        #expect(log["version"] == "2.1.0")
        let run = try #require(log["runs"]?.arrayValue?.first)
        let rules = try #require(run["tool"]?["driver"]?["rules"]?.arrayValue)
        #expect(rules.count == RuleCatalog.all.count)
        #expect(rules[0] == ["id": "user.schema", "shortDescription": [
            "text": "Only the seed's fields, each with its declared type; no duplicate keys; cluster-scoped.",
        ], "defaultConfiguration": ["level": "error"]])
        #expect(rules[3]["defaultConfiguration"]?["level"] == "warning")
        #expect(rules[7]["defaultConfiguration"]?["level"] == "none")
        #expect(run["results"] == [[
            "ruleId": "user.password-deprecated", "ruleIndex": 3, "level": "warning",
            "message": ["text": "spec.password: Forbidden: deprecated: plain-text passwords must not be stored"],
            "locations": [["physicalLocation": [
                "artifactLocation": ["uri": "bob.yaml"], "region": ["startLine": 8, "startColumn": 3],
            ]]],
        ]])
        #expect(run["invocations"] == [["executionSuccessful": true, "toolExecutionNotifications": []]])
    }

    @Test("junit: a suite per file, a case per document, failures, skipped, errors")
    func junit() throws {
        let fixtures = try ManifestFixtures(["alice.yaml": ManifestFixtures.alice, "bob.yaml": ManifestFixtures.bob,
                                             "bad.yaml": "a: [1\n"])
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "--format", "junit", "alice.yaml", "bob.yaml", "bad.yaml"])
        #expect(result.status == 2)
        #expect(result.standardOutput == """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="identity-guard" tests="4" failures="2" errors="1" skipped="1">
              <testsuite name="alice.yaml" tests="1" failures="1" errors="0" skipped="0">
                <testcase classname="alice.yaml" name="document 1: User alice">
                  <failure message="2 violations" type="deny">alice.yaml:6:3: user.email-unique: spec.email: \
            Duplicate value: &quot;alice@example.com&quot;: already used by User &quot;bob&quot; (bob.yaml:7:3)
            alice.yaml:7:3: user.state: spec.state: Unsupported value: &quot;sleeping&quot;: supported values: \
            &quot;active&quot;, &quot;disabled&quot;, &quot;locked&quot;, &quot;invalid&quot;</failure>
                </testcase>
              </testsuite>
              <testsuite name="bob.yaml" tests="2" failures="1" errors="0" skipped="1">
                <testcase classname="bob.yaml" name="document 1: User bob">
                  <failure message="1 violation" type="deny">bob.yaml:7:3: user.email-unique: spec.email: \
            Duplicate value: &quot;Alice@Example.com&quot;: already used by User &quot;alice&quot; \
            (alice.yaml:6:3)</failure>
                  <system-out>bob.yaml:8:3: user.password-deprecated: spec.password: Forbidden: deprecated: \
            plain-text passwords must not be stored</system-out>
                </testcase>
                <testcase classname="bob.yaml" name="document 2: ConfigMap settings">
                  <skipped/>
                </testcase>
              </testsuite>
              <testsuite name="bad.yaml" tests="1" failures="0" errors="1" skipped="0">
                <testcase classname="bad.yaml" name="bad.yaml">
                  <error message="YAML syntax error: did not find expected &apos;,&apos; or &apos;]&apos; \
            (while parsing a flow sequence at 1:4)" type="syntax">bad.yaml:2:1: YAML syntax error: did not find \
            expected &apos;,&apos; or &apos;]&apos; (while parsing a flow sequence at 1:4)</error>
                </testcase>
              </testsuite>
            </testsuites>

            """)
    }

    @Test("a YAML syntax error: file:line:column on stderr, exit 2, the other files still checked and shown")
    func mixed() async throws {
        let fixtures = try ManifestFixtures(["alice.yaml": ManifestFixtures.alice, "bad.yaml": "a: 1\nb: [1\nc: 2\n"])
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "bad.yaml", "alice.yaml", "missing.yaml"])
        #expect(result.status == 2)
        #expect(result.standardOutput == """
            alice.yaml:7:3: user.state: spec.state: Unsupported value: "sleeping": supported values: "active", \
            "disabled", "locked", "invalid"
            1 documents, 1 checked, 0 skipped, 1 denied, 0 warnings

            """)
        #expect(result.standardError == """
            bad.yaml:3:2: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at 2:4)
            missing.yaml: no such file or directory

            """)
        let json = try fixtures.run(["check", "--format", "json", "bad.yaml"])
        #expect(json.status == 2)
        let errors = try JSONReader.parse(json.standardOutput)["errors"]
        #expect(errors == [["file": "bad.yaml", "line": 3, "column": 2, "message":
            "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at 2:4)"]])
        let sarif = try JSONReader.parse(try fixtures.run(["check", "--format", "sarif", "bad.yaml"]).standardOutput)
        #expect(sarif["runs"]?.arrayValue?.first?["invocations"]?.arrayValue?.first?["executionSuccessful"] == false)
    }

    @Test("standard input with -, next to files; emails are unique across both")
    func standardInput() async throws {
        let fixtures = try ManifestFixtures(["alice.yaml": ManifestFixtures.alice])
        defer { fixtures.remove() }
        let input = "---\n" + ManifestFixtures.bob
        let result = try fixtures.run(["check", "-", "alice.yaml"], standardInput: input)
        #expect(result.status == 1)
        #expect(result.standardOutput == """
            stdin:8:3: user.email-unique: spec.email: Duplicate value: "Alice@Example.com": already used by User \
            "alice" (alice.yaml:6:3)
            stdin:9:3: user.password-deprecated: spec.password: Forbidden: deprecated: plain-text passwords must not \
            be stored
            alice.yaml:6:3: user.email-unique: spec.email: Duplicate value: "alice@example.com": already used by User \
            "bob" (stdin:8:3)
            alice.yaml:7:3: user.state: spec.state: Unsupported value: "sleeping": supported values: "active", \
            "disabled", "locked", "invalid"
            3 documents, 2 checked, 1 skipped, 2 denied, 0 warnings

            """)
        let inProcess = await CheckCommand.execute(paths: ["-", fixtures.path("alice.yaml")],
                                                   standardInput: { Array(input.utf8) })
        #expect(fixtures.relative(inProcess.standardOutput) == result.standardOutput)
    }

    @Test("duplicate YAML keys are a schema violation at the second key")
    func duplicateKeys() throws {
        let text = "apiVersion: auth.alauda.io/v1\nkind: User\nmetadata:\n  name: e\nspec:\n  email: e@x.io\n"
            + "  state: active\n  email: f@x.io\n"
        let fixtures = try ManifestFixtures(["e.yaml": text])
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "e.yaml"])
        #expect(result.status == 1)
        #expect(result.standardOutput == """
            e.yaml:8:3: user.schema: spec.email: Duplicate value: "email": key appears more than once
            1 documents, 1 checked, 0 skipped, 1 denied, 0 warnings

            """)
    }

    @Test("unusable arguments exit 2: unknown option, bad format, no path, unknown rule in --config")
    func badArguments() throws {
        let fixtures = try ManifestFixtures(["alice.yaml": ManifestFixtures.alice,
                                             "config.yaml": "rules:\n  user.nope: warn\n",
                                             "relaxed.yaml": "rules:\n  user.state: warn\n"])
        defer { fixtures.remove() }
        for arguments in [["check", "--bogus", "alice.yaml"], ["check", "--format", "xml", "alice.yaml"], ["check"],
                          ["mutate", "--output", "toml", "alice.yaml"], ["mutate", "--in-place", "-"]] {
            let result = try fixtures.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError.contains("Usage: identity-guard"), "\(arguments)")
        }
        let config = try fixtures.run(["check", "--config", "config.yaml", "alice.yaml"])
        #expect(config.status == 2)
        #expect(config.standardOutput.isEmpty)
        #expect(config.standardError.hasPrefix(
            "identity-guard: config.yaml:2:3: unknown rule id \"user.nope\" in configuration; known rules: user.schema"))
        let relaxed = try fixtures.run(["check", "--config", "relaxed.yaml", "alice.yaml"])
        #expect(relaxed.status == 0)
        #expect(relaxed.standardOutput.hasSuffix("1 documents, 1 checked, 0 skipped, 0 denied, 1 warnings\n"))
    }

    @Test("the examples directory: valid files pass, the whole directory is denied")
    func examples() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let fixtures = ManifestFixtures(existing: root)
        let valid = try fixtures.run(["check", "examples/valid"])
        #expect(valid.status == 0)
        #expect(valid.standardOutput == "6 documents, 5 checked, 1 skipped, 0 denied, 0 warnings\n")
        let all = try fixtures.run(["check", "examples"])
        #expect(all.status == 1)
        #expect(all.standardOutput.hasSuffix("12 documents, 11 checked, 1 skipped, 6 denied, 1 warnings\n"))
        #expect(all.standardOutput.contains("examples/invalid/users.yaml:34:3: user.schema: spec.email: "
            + "Duplicate value: \"email\": key appears more than once\n"))
    }
}

extension ManifestFixtures {
    /// An existing directory (the repository, for `examples/`); never removed.
    init(existing directory: String) {
        self.directory = directory
    }
}
