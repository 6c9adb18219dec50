import IdentityRules
import KubeJSON
import Manifests
import Testing
import YAMLBounds

/// YAML alias bombs are refused before Yams composes them, with the size their expansion would have had
/// (computed from the alias graph, never by expanding: the node counts below are hundreds of millions).
/// Expected counts come from `Benchmarks/hostile/make_inputs.py`'s independent arithmetic.
@Suite("YAML aliases are bounded")
struct AliasBombTests {
    /// `a0: &a0 lol`, then `levels` lines each a list of `width` aliases of the line before ("billion laughs").
    static func laughs(levels: Int = 9, width: Int = 9, indent: String) -> String {
        var lines = [indent + "a0: &a0 lol"]
        for level in 1...levels {
            let aliases = Array(repeating: "*a\(level - 1)", count: width).joined(separator: ", ")
            lines.append(indent + "a\(level): &a\(level) [\(aliases)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let userHead = "apiVersion: auth.alauda.io/v1\nkind: User\nmetadata:\n  name: bomb\nspec:\n"
    static let user = userHead + laughs(indent: "  ")

    static func refusal(_ text: String, file: String = "bomb.yaml") -> String? {
        ManifestLoader.parse(text: text, name: file, path: nil).error?.description
    }

    @Test("billion laughs in a User: refused at its largest alias with both node counts")
    func inManifest() {
        #expect(Self.refusal(Self.user)
            == "bomb.yaml:15:12: YAML error: document expands aliases too far (490329076 nodes from 112)")
    }

    @Test("billion laughs in a List item")
    func inList() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: auth.alauda.io/v1\n  kind: User\n"
            + "  metadata:\n    name: bomb\n  spec:\n" + Self.laughs(indent: "    ")
        #expect(Self.refusal(text)
            == "bomb.yaml:18:14: YAML error: document expands aliases too far (490329083 nodes from 119)")
    }

    @Test("an alias used as a mapping key (Yams would hash its whole expansion)")
    func aliasAsKey() {
        let text = Self.user + "  *a9 : boom\n"
        #expect(Self.refusal(text)
            == "bomb.yaml:16:3: YAML error: document expands aliases too far (926177127 nodes from 114)")
    }

    @Test("merge keys (<<) nine deep")
    func mergeKeys() {
        var lines = ["  m0: &m0 {k: v}"]
        for level in 1...9 {
            let aliases = Array(repeating: "*m\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("  m\(level): &m\(level) {<<: [\(aliases)]}")
        }
        let text = Self.userHead + lines.joined(separator: "\n") + "\n"
        #expect(Self.refusal(text)
            == "bomb.yaml:15:17: YAML error: document expands aliases too far (1470987186 nodes from 132)")
    }

    @Test("thirty levels: the count saturates instead of overflowing")
    func saturates() {
        let text = Self.userHead + Self.laughs(levels: 30, indent: "  ")
        #expect(Self.refusal(text)
            == "bomb.yaml:27:14: YAML error: document expands aliases too far (9223372036854775807 nodes from 343)")
    }

    @Test("the other documents of a stream do not hide a bomb, and a bomb stops the whole file")
    func laterDocument() {
        let text = "apiVersion: v1\nkind: ConfigMap\n---\n" + Self.user
        #expect(Self.refusal(text)
            == "bomb.yaml:18:12: YAML error: document expands aliases too far (490329076 nodes from 112)")
    }

    @Test("honest anchors keep working: a List whose second item reuses the first's spec")
    func honestAnchors() throws {
        let text = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: auth.alauda.io/v1
              kind: User
              metadata: {name: a}
              spec: &spec {email: a@example.com, state: active, groups: [dev, ops]}
            - apiVersion: auth.alauda.io/v1
              kind: User
              metadata: {name: b}
              spec: *spec

            """
        let file = ManifestLoader.parse(text: text, name: "ok.yaml", path: nil)
        #expect(file.error == nil)
        #expect(file.documents.count == 2)
        #expect(file.documents[1].value["spec"] == file.documents[0].value["spec"])
        #expect(file.documents[1].value["spec"]?["groups"] == ["dev", "ops"])
    }

    @Test("an honest merge key is not applied: `<<` stays an unknown field of the User")
    func mergeKeyIsUnknownField() {
        let text = "apiVersion: auth.alauda.io/v1\nkind: User\nmetadata:\n  name: m\nspec:\n  email: m@example.com\n"
            + "  <<: {state: active}\n"
        let report = ManifestChecker().check([ManifestLoader.parse(text: text, name: "m.yaml", path: nil)])
        #expect(report.findings.map(\.message) == ["spec.<<: Forbidden: field not declared in schema"])
    }

    @Test("the ratio rule: small expansions are free, large ones need written nodes, nothing past the cap")
    func ratioRule() {
        let budget = YAMLAliasBudget.standard
        #expect(budget.allows(expanded: 1_000, written: 2))
        #expect(!budget.allows(expanded: 1_001, written: 2))
        #expect(budget.allows(expanded: 1_001, written: 11))
        #expect(!budget.allows(expanded: 1_001, written: 10))
        #expect(budget.allows(expanded: 400_000, written: 4_000))
        #expect(!budget.allows(expanded: 400_000, written: 3_999))
        #expect(budget.allows(expanded: 1_000_000, written: 200_000))
        #expect(!budget.allows(expanded: 1_000_000, written: 100_000))
        #expect(!budget.allows(expanded: 1_000_001, written: 999_999))
        #expect(budget.allows(expanded: 5_000_000, written: 5_000_000))
    }

    @Test("an alias inside a quoted string or a comment is no alias; text without * skips the pass")
    func notAliases() {
        let text = "a: \"*b *c\"\n# *d\nb: '*x'\n"
        #expect(YAMLAliasBudget.standard.check(text) == nil)
        #expect(YAMLAliasBudget.standard.check("a: 1\n") == nil)
        #expect(YAMLAliasBudget.standard.check("a: *undefined\n") == nil)
    }
}
