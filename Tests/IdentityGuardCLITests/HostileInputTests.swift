import IdentityGuardTesting
import Foundation
import Testing

/// What someone who can open a pull request controls, through the real executable: YAML alias bombs in a
/// manifest, through `mutate`, in `--config` (for `check` and `serve`) and in a kubeconfig are refused with
/// their place and both node counts, and the other files are still checked. Each would take minutes and
/// gigabytes if expanded; the suite's time limit is the only clock involved.
@Suite("Hostile input: alias bombs through the command line", .timeLimit(.minutes(2)))
struct HostileInputTests {
    /// `a0: &a0 lol`, then nine lines of nine aliases of the line before.
    static func laughs(indent: String) -> String {
        var lines = [indent + "a0: &a0 lol"]
        for level in 1...9 {
            lines.append(indent + "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9)
                .joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let bomb = "apiVersion: auth.alauda.io/v1\nkind: User\nmetadata:\n  name: bomb\nspec:\n"
        + laughs(indent: "  ")
    static let bombLine = "bomb.yaml:15:12: YAML error: document expands aliases too far (490329076 nodes from 112)"
    static let config = "rules:\n" + laughs(indent: "  ")
    static let configLine = "config.yaml:11:12: YAML error: document expands aliases too far (490329068 nodes from 104)"

    @Test("check: the bomb is a syntax-class error on stderr, exit 2, the other file still checked")
    func check() throws {
        let fixtures = try ManifestFixtures(["bomb.yaml": Self.bomb, "alice.yaml": ManifestFixtures.alice])
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "bomb.yaml", "alice.yaml"])
        #expect(result.status == 2)
        #expect(result.standardError == Self.bombLine + "\n")
        #expect(result.standardOutput == """
            alice.yaml:7:3: user.state: spec.state: Unsupported value: "sleeping": supported values: "active", \
            "disabled", "locked", "invalid"
            1 documents, 1 checked, 0 skipped, 1 denied, 0 warnings

            """)
    }

    @Test("mutate: the bomb is refused, exit 2, the other file still printed")
    func mutate() throws {
        let fixtures = try ManifestFixtures(["bomb.yaml": Self.bomb, "dave.yaml": ManifestFixtures.clean])
        defer { fixtures.remove() }
        let result = try fixtures.run(["mutate", "bomb.yaml", "dave.yaml"])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix(Self.bombLine + "\n"))
        #expect(result.standardOutput.contains("kind: User"))
    }

    @Test("check --config with a bomb: exit 2 and the file's place, nothing checked")
    func checkConfig() throws {
        let fixtures = try ManifestFixtures(["config.yaml": Self.config, "alice.yaml": ManifestFixtures.alice])
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "--config", "config.yaml", "alice.yaml"])
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "identity-guard: \(Self.configLine)\n")
    }

    @Test("serve --config with a bomb: the one-line start-up error, exit 1")
    func serveConfig() throws {
        let fixtures = try ManifestFixtures(["config.yaml": Self.config])
        defer { fixtures.remove() }
        let result = try fixtures.run(["serve", "--dev", "--no-cluster", "--config", "config.yaml", "--port", "0",
                                       "--metrics-port", "0"])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "identity-guard serve: \(Self.configLine)\n")
    }

    @Test("check --kubeconfig with a bomb: the kubeconfig is refused before it is decoded, exit 2")
    func kubeconfig() throws {
        let fixtures = try ManifestFixtures(["kubeconfig": Self.laughs(indent: ""),
                                             "alice.yaml": ManifestFixtures.alice])
        defer { fixtures.remove() }
        let result = try fixtures.run(["check", "--kubeconfig", "kubeconfig", "alice.yaml"])
        #expect(result.status == 2)
        #expect(result.standardError.contains(
            "the kubeconfig kubeconfig:10:10: YAML error: document expands aliases too far (490329066 nodes from 102)"))
    }
}
