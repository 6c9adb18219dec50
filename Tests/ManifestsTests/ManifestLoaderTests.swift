import IdentityRules
import Manifests
import Testing
import KubeJSON

@Suite("Manifest loading: documents, positions, Lists, duplicate keys, syntax errors")
struct ManifestLoaderTests {
    static let user = """
        # a comment
        apiVersion: auth.alauda.io/v1
        kind: User
        metadata:
          name: alice
        spec:
          email: alice@example.com
          groups:
          - a
          - "b"
          is_admin: yes
          continuity_errors: 3
          mobile: "+1 555"
        ---
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: x}

        """

    @Test("multi-document YAML: empty documents dropped, ordinals, kinds, YAML 1.1 scalars")
    func documents() throws {
        let file = ManifestLoader.parse(text: Self.user, name: "u.yaml", path: nil)
        #expect(file.error == nil)
        #expect(file.documents.map(\.index) == [1, 2])
        #expect(file.documents.map(\.sourceDocument) == [0, 1])
        #expect(file.documents[0].resourceKind == .user)
        #expect(file.documents[1].resourceKind == nil)
        let spec = try #require(file.documents[0].value["spec"])
        #expect(spec["groups"] == ["a", "b"])
        #expect(spec["is_admin"] == true)
        #expect(spec["continuity_errors"] == 3)
        #expect(spec["mobile"] == "+1 555")
    }

    @Test("every field path resolves to its key's line and column; absent fields to the document")
    func positions() {
        let document = ManifestLoader.parse(text: Self.user, name: "u.yaml", path: nil).documents[0]
        #expect(document.position == SourcePosition(line: 2, column: 1))
        #expect(document.position(of: FieldPath("metadata", "name")) == SourcePosition(line: 5, column: 3))
        #expect(document.position(of: FieldPath("spec", "email")) == SourcePosition(line: 7, column: 3))
        #expect(document.position(of: FieldPath("spec", "groups").index(1)) == SourcePosition(line: 10, column: 5))
        #expect(document.position(of: FieldPath("spec", "mobile")) == SourcePosition(line: 13, column: 3))
        #expect(document.position(of: FieldPath("spec", "password")) == document.position)
        #expect(document.position(of: FieldPath("spec", "groups").index(9)) == document.position)
    }

    @Test("kind: List items are documents with their own positions")
    func list() {
        let text = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: auth.alauda.io/v1
              kind: User
              metadata:
                name: a
            - apiVersion: user.openshift.io/v1
              kind: Identity
              metadata: {name: "p:u"}

            """
        let file = ManifestLoader.parse(text: text, name: "l.yaml", path: nil)
        #expect(file.documents.count == 2)
        #expect(file.documents.map(\.listItem) == [0, 1])
        #expect(file.documents.map(\.resourceKind) == [.user, .identity])
        #expect(file.documents[0].position == SourcePosition(line: 4, column: 3))
        #expect(file.documents[0].position(of: FieldPath("metadata", "name")) == SourcePosition(line: 7, column: 5))
        #expect(file.documents[1].position(of: FieldPath("metadata", "name")) == SourcePosition(line: 10, column: 14))
        #expect(file.sourceValues.count == 1)
    }

    @Test("duplicate keys are kept (Yams refuses them) and resolve to the second key", arguments: [
        ("spec:\n  email: a@x\n  state: active\n  email: b@x\n", 4, 3),
        ("spec: {email: a@x, email: b@x}\n", 1, 20),
        ("{\"spec\": {\"email\": \"a@x\", \"email\": \"b@x\"}}\n", 1, 27),
        ("spec:\n  'email': a@x\n  \"email\": b@x\n", 3, 3),
    ])
    func duplicateKeys(text: String, line: Int, column: Int) throws {
        let file = ManifestLoader.parse(text: text, name: "d.yaml", path: nil)
        #expect(file.error == nil)
        let document = try #require(file.documents.first)
        let spec = try #require(document.value["spec"]?.objectValue)
        #expect(spec.keys.filter { $0 == "email" }.count == 2)
        #expect(spec["email"] == "b@x")
        #expect(document.position(of: FieldPath("spec", "email")) == SourcePosition(line: line, column: column))
    }

    @Test("three equal keys and duplicates in two mappings")
    func manyDuplicates() throws {
        let text = "a: 1\na: 2\nb:\n  c: 1\n  c: 2\na: 3\n"
        let document = try #require(ManifestLoader.parse(text: text, name: "d.yaml", path: nil).documents.first)
        #expect(document.value.objectValue?.keys == ["a", "a", "b", "a"])
        #expect(document.value["b"]?.objectValue?.keys == ["c", "c"])
        #expect(document.position(of: FieldPath("a")) == SourcePosition(line: 6, column: 1))
        #expect(document.position(of: FieldPath("b", "c")) == SourcePosition(line: 5, column: 3))
    }

    @Test("a syntax error is a value with file:line:column")
    func syntaxError() {
        let file = ManifestLoader.parse(text: "a: 1\nb: [1\nc: 2\n", name: "bad.yaml", path: nil)
        #expect(file.documents.isEmpty)
        #expect(file.error?.description
            == "bad.yaml:3:2: YAML syntax error: did not find expected ',' or ']'"
                + " (while parsing a flow sequence at 2:4)")
    }

    @Test("JSON files are detected for writing back")
    func syntax() {
        #expect(ManifestSyntax.detect("  \n{\"a\": 1}") == .json)
        #expect(ManifestSyntax.detect("a: 1") == .yaml)
    }

    /// Found by ManifestFuzz: a file whose lines end in lone carriage returns (or CR LF) has its positions counted
    /// the way YAML counts lines — each of LF, CR LF and a lone CR ends one — as old Mac and Windows editors show.
    @Test("regression (fuzzing): lone CR and CR LF line breaks count as one line each")
    func carriageReturns() {
        for newline in ["\r", "\r\n", "\n"] {
            let text = ["apiVersion: auth.alauda.io/v1", "kind: User", "metadata:", "  name: x", "spec:",
                        "  email: x@example.com", "  state: zzz"].joined(separator: newline) + newline
            let file = ManifestLoader.parse(text: text, name: "cr.yaml", path: nil)
            let document = file.documents[0]
            #expect(document.position(of: FieldPath("spec", "state")) == SourcePosition(line: 7, column: 3),
                    "line breaks \(Array(newline.utf8))")
        }
    }

    /// Found by ManifestFuzz: every duplicate key costs a parse of the whole file, so hundreds of them made a small
    /// file take seconds to read. Past 32 the file is refused as a syntax error at a duplicate.
    @Test("regression (fuzzing): at most 32 duplicate keys are read; more are a syntax error")
    func manyDuplicateKeys() {
        func file(duplicates: Int) -> ManifestFile {
            var lines = ["apiVersion: auth.alauda.io/v1", "kind: User", "metadata:", "  name: x", "spec:"]
            for number in 0..<duplicates { lines += ["  k\(number): 1", "  k\(number): 2"] }
            return ManifestLoader.parse(text: lines.joined(separator: "\n") + "\n", name: "dup.yaml", path: nil)
        }
        let within = file(duplicates: 32)
        #expect(within.error == nil)
        #expect(within.documents.count == 1)
        let over = file(duplicates: 33)
        #expect(over.error?.message.hasPrefix(#"YAML syntax error: duplicate mapping key "k"#) == true)
        // At one of the duplicated keys (lines 6 to 71), column 3.
        let position = over.error?.position
        #expect(position?.column == 3 && (6...71).contains(position?.line ?? 0))
    }
}
