import KubeJSON
import IdentityGuardTesting
import Foundation
import IdentityGuardCLI
import IdentityRules
import Testing

@Suite("identity-guard mutate: printed documents, round trips, --in-place", .timeLimit(.minutes(5)))
struct MutateCommandTests {
    static let erin = """
        # erin: disabled, with a password to scrub
        apiVersion: auth.alauda.io/v1
        kind: User
        metadata:
          name: erin
        spec:
          password: hunter2
          email: erin@example.com
          state: disabled
          groups: [a, b]
        ---
        # untouched
        apiVersion: auth.alauda.io/v1
        kind: User
        metadata:
          name: frank   # keeps this comment
        spec:
          email: frank@example.com
          state: active
          is_disabled: false

        """

    @Test("YAML output: mutating rules applied, key order kept, other documents as they are")
    func yaml() async throws {
        let fixtures = try ManifestFixtures(["erin.yaml": Self.erin, "bob.yaml": ManifestFixtures.bob])
        defer { fixtures.remove() }
        let result = try fixtures.run(["mutate", "erin.yaml", "bob.yaml"])
        #expect(result.status == 0)
        #expect(result.standardOutput == """
            apiVersion: auth.alauda.io/v1
            kind: User
            metadata:
              name: erin
            spec:
              email: erin@example.com
              state: disabled
              groups:
              - a
              - b
              is_disabled: true
            ---
            apiVersion: auth.alauda.io/v1
            kind: User
            metadata:
              name: frank
            spec:
              email: frank@example.com
              state: active
              is_disabled: false
            ---
            apiVersion: auth.alauda.io/v1
            kind: User
            metadata:
              name: bob
            spec:
              email: Alice@Example.com
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings

            """)
        #expect(result.standardError == """
            erin.yaml:2:1: user.password-deprecated, user.state-consistency: removed spec.password, \
            set spec.is_disabled: true
            bob.yaml:2:1: user.password-deprecated: removed spec.password

            """)
        let inProcess = await MutateCommand.execute(paths: [fixtures.path("erin.yaml"), fixtures.path("bob.yaml")])
        #expect(inProcess.standardOutput == result.standardOutput)
        #expect(fixtures.relative(inProcess.standardError) == result.standardError)
    }

    @Test("mutated output checked again has no mutating-rule findings, and mutating it again changes nothing")
    func roundTrip() async throws {
        let fixtures = try ManifestFixtures(["erin.yaml": Self.erin, "carol.yaml": ManifestFixtures.carol])
        defer { fixtures.remove() }
        for output in MutateOutputFormat.allCases {
            let mutated = try fixtures.run(["mutate", "--output", output.rawValue, "erin.yaml", "carol.yaml"])
            #expect(mutated.status == 0)
            let checked = try fixtures.run(["check", "--format", "json", "-"], standardInput: mutated.standardOutput)
            #expect(checked.status == 0)
            let results = try #require(try JSONReader.parse(checked.standardOutput)["results"]?.arrayValue)
            #expect(!results.contains { ["user.password-deprecated", "user.state-consistency"]
                .contains($0["rule"]?.stringValue ?? "") })
            let again = try fixtures.run(["mutate", "--output", output.rawValue, "-"],
                                         standardInput: mutated.standardOutput)
            #expect(again.standardOutput == mutated.standardOutput)
            #expect(again.standardError.isEmpty)
        }
    }

    @Test("JSON output: one document as itself, several as a v1 List")
    func json() throws {
        let fixtures = try ManifestFixtures(["dave.yaml": ManifestFixtures.clean, "carol.yaml": ManifestFixtures.carol])
        defer { fixtures.remove() }
        let one = try fixtures.run(["mutate", "--output", "json", "dave.yaml"])
        #expect(one.standardOutput == """
            {
              "apiVersion": "auth.alauda.io/v1",
              "kind": "User",
              "metadata": {
                "name": "dave"
              },
              "spec": {
                "email": "dave@example.com"
              }
            }

            """)
        let list = try JSONReader.parse(try fixtures.run(["mutate", "--output", "json", "dave.yaml", "carol.yaml"])
            .standardOutput)
        #expect(list["kind"] == "List")
        #expect(list["items"]?.arrayValue?.count == 2)
        #expect(list["items"]?.arrayValue?[1]["items"]?.arrayValue?[0]["spec"]
            == ["email": "carol@example.com", "state": "disabled", "is_disabled": true])
    }

    @Test("--in-place rewrites only changed documents, atomically; unchanged files are not touched")
    func inPlace() throws {
        let carol = "{\"apiVersion\": \"auth.alauda.io/v1\", \"kind\": \"User\", \"metadata\": {\"name\": \"c\"}, "
            + "\"spec\": {\"email\": \"c@x.io\", \"is_disabled\": true}}"
        let fixtures = try ManifestFixtures(["erin.yaml": Self.erin, "dave.yaml": ManifestFixtures.clean,
                                             "carol.json": carol])
        defer { fixtures.remove() }
        let daveBefore = try FileManager.default.attributesOfItem(atPath: fixtures.path("dave.yaml"))
        let result = try fixtures.run(["mutate", "--in-place", "."])
        #expect(result.status == 0)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.hasSuffix("2 files rewritten, 1 unchanged\n"))
        #expect(try fixtures.read("erin.yaml") == """
            # erin: disabled, with a password to scrub
            apiVersion: auth.alauda.io/v1
            kind: User
            metadata:
              name: erin
            spec:
              email: erin@example.com
              state: disabled
              groups:
              - a
              - b
              is_disabled: true
            ---
            # untouched
            apiVersion: auth.alauda.io/v1
            kind: User
            metadata:
              name: frank   # keeps this comment
            spec:
              email: frank@example.com
              state: active
              is_disabled: false

            """)
        #expect(try fixtures.read("carol.json") == """
            {
              "apiVersion": "auth.alauda.io/v1",
              "kind": "User",
              "metadata": {
                "name": "c"
              },
              "spec": {
                "email": "c@x.io",
                "is_disabled": true,
                "state": "disabled"
              }
            }

            """)
        let daveAfter = try FileManager.default.attributesOfItem(atPath: fixtures.path("dave.yaml"))
        #expect(daveBefore[.modificationDate] as? Date == daveAfter[.modificationDate] as? Date)
        #expect(daveBefore[.systemFileNumber] as? Int == daveAfter[.systemFileNumber] as? Int)
        let again = try fixtures.run(["mutate", "--in-place", "."])
        #expect(again.standardError == "0 files rewritten, 3 unchanged\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixtures.directory)
        #expect(leftovers.sorted() == ["carol.json", "dave.yaml", "erin.yaml"])
    }

    @Test("--in-place on a read-only file fails cleanly and changes nothing")
    func readOnly() throws {
        let fixtures = try ManifestFixtures(["erin.yaml": Self.erin, "bob.yaml": ManifestFixtures.bob])
        defer { fixtures.remove() }
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: fixtures.path("erin.yaml"))
        let result = try fixtures.run(["mutate", "--in-place", "erin.yaml", "bob.yaml"])
        #expect(result.status == 2)
        #expect(result.standardError.hasSuffix("erin.yaml: the file is read-only; nothing was changed\n"))
        #expect(try fixtures.read("erin.yaml") == Self.erin)
        #expect(try fixtures.read("bob.yaml") == ManifestFixtures.bob)
        let permissions = try FileManager.default.attributesOfItem(atPath: fixtures.path("erin.yaml"))
        #expect((permissions[.posixPermissions] as? NSNumber)?.intValue == 0o444)
    }
}
