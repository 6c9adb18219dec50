import KubeJSON
import IdentityRules
import Manifests
import Testing

@Suite("YAML emitter: what it writes reads back as the same value")
struct YAMLEmitterTests {
    static let tricky: [String] = [
        "", "true", "yes", "No", "null", "~", "1", "0755", "1.5", "1e3", ".inf", "2024-01-01", "=", "<<",
        "- a", "a: b", "a #b", "#x", "@at", "trailing ", " leading", "line\nbreak", "tab\there", "quote\"s",
        "back\\slash", "ümlaut", "emoji 😀", "\u{7F}", "\u{85}", "https://example.com/a?b=c",
        "github:alice", "key:", "*star", "!bang", "%pct", "{brace", "[bracket", "a,b", "plain text",
    ]

    @Test("strings that look like other types or hold indicators are quoted; all read back", arguments: tricky)
    func roundTrip(text: String) throws {
        let value: JSONValue = ["key": .string(text), .init(stringLiteral: text): "v", "list": [.string(text)]]
        let yaml = YAMLEmitter.document(value)
        let file = ManifestLoader.parse(text: yaml, name: "t.yaml", path: nil)
        #expect(file.error == nil, "\(yaml)")
        #expect(file.documents.first?.value == value, "\(yaml)")
    }

    @Test("block layout like kubectl's, key order kept, scalars typed")
    func layout() {
        let value: JSONValue = [
            "kind": "User", "metadata": ["name": "a"],
            "spec": ["groups": ["x", "y"], "ids": [["a": 1, "b": [true, .null]]], "empty": [], "none": [:],
                     "ratio": .float(literal: "0.5")],
        ]
        #expect(YAMLEmitter.document(value) == """
            kind: User
            metadata:
              name: a
            spec:
              groups:
              - x
              - y
              ids:
              - a: 1
                b:
                - true
                - null
              empty: []
              none: {}
              ratio: 0.5

            """)
        #expect(YAMLEmitter.stream(["a", ["b": 1]]) == "a\n---\nb: 1\n")
    }
}
