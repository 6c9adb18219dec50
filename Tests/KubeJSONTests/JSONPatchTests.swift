import KubeJSON
import KubeJSON
import Testing

@Suite("JSON Patch")
struct JSONPatchTests {
    @Test("the diff touches only what changed, and applying it gives the target")
    func diffThenApply() throws {
        let original = try JSONReader.parse(#"""
            {"metadata": {"name": "alice", "labels": {"a": "1"}},
             "spec": {"email": "alice@example.com", "password": "x", "groups": ["a"], "state": "disabled"}}
            """#)
        let target = try JSONReader.parse(#"""
            {"metadata": {"name": "alice", "labels": {"a": "1"}},
             "spec": {"email": "alice@example.com", "groups": ["a", "b"], "state": "disabled", "is_disabled": true}}
            """#)
        let patch = JSONPatch.diff(from: original, to: target)
        #expect(patch.operations == [
            .remove(path: "/spec/password"),
            .replace(path: "/spec/groups", value: ["a", "b"]),
            .add(path: "/spec/is_disabled", value: true),
        ])
        #expect(String(decoding: patch.serialized, as: UTF8.self) == #"[{"op":"remove","path":"/spec/password"},"#
            + #"{"op":"replace","path":"/spec/groups","value":["a","b"]},{"op":"add","path":"/spec/is_disabled","value":true}]"#)
        #expect(try patch.apply(to: original) == target)
        #expect(JSONPatch.diff(from: target, to: target).isEmpty)
    }

    @Test("RFC 6901 escaping of ~ and / in keys, both ways")
    func pointerEscaping() throws {
        let original: JSONValue = ["metadata": ["annotations": ["example.com/a~b": "1", "keep": "2"]]]
        let target: JSONValue = ["metadata": ["annotations": ["keep": "2", "x/y": "3"]]]
        let patch = JSONPatch.diff(from: original, to: target)
        #expect(patch.operations == [
            .remove(path: "/metadata/annotations/example.com~1a~0b"),
            .add(path: "/metadata/annotations/x~1y", value: "3"),
        ])
        #expect(try patch.apply(to: original) == target)
        #expect(JSONPointer.unescape("~01") == "~1")
    }

    @Test("all six operations apply as RFC 6902 says")
    func applyAll() throws {
        let document: JSONValue = ["a": [1, 2, 3], "b": ["c": "d"]]
        let patch = try JSONPatch(parsing: try JSONReader.parse(#"""
            [{"op": "test", "path": "/b/c", "value": "d"},
             {"op": "add", "path": "/a/1", "value": 9},
             {"op": "add", "path": "/a/-", "value": 4},
             {"op": "remove", "path": "/a/0"},
             {"op": "replace", "path": "/b/c", "value": "e"},
             {"op": "copy", "from": "/b", "path": "/f"},
             {"op": "move", "from": "/b/c", "path": "/g"}]
            """#))
        #expect(try patch.apply(to: document) == ["a": [9, 2, 3, 4], "b": [:], "f": ["c": "e"], "g": "e"])
    }

    @Test("a failing operation throws with a reason; a patch that fails midway gives no partial result")
    func failures() throws {
        let document: JSONValue = ["a": 1]
        #expect(throws: JSONPatchError("no member \"b\" to remove")) {
            _ = try JSONPatch([.remove(path: "/b")]).apply(to: document)
        }
        #expect(throws: JSONPatchError("test failed at \"/a\"")) {
            _ = try JSONPatch([.test(path: "/a", value: 2)]).apply(to: document)
        }
        #expect(throws: JSONPatchError.self) { _ = try JSONPatch([.replace(path: "/nope", value: 1)]).apply(to: document) }
        #expect(throws: JSONPatchError.self) { _ = try JSONPatch(parsing: [["op": "jump", "path": "/a"]]) }
        // The first operation succeeds, the second fails: the whole patch fails, as RFC 6902 §5 demands.
        #expect(throws: JSONPatchError("no member \"b\" to remove")) {
            _ = try JSONPatch([.add(path: "/c", value: 2), .remove(path: "/b")]).apply(to: document)
        }
    }

    /// Found by JSONPatchFuzz: a key renamed in place (`"kind#"` → `"kind"`) is a remove and an add, and the add
    /// appends. The result is the target as JSON means it — every member with its value — in another member order.
    @Test("regression (fuzzing): a renamed key round-trips as a value; the added member comes last")
    func renamedKey() throws {
        let original = try JSONReader.parse(#"{"apiVersion":"v1","kind#":"Identity","spec":{"a":1}}"#)
        let target = try JSONReader.parse(#"{"apiVersion":"v1","kind":"Identity","spec":{"a":1}}"#)
        let patch = JSONPatch.diff(from: original, to: target)
        #expect(patch == JSONPatch([.remove(path: "/kind#"), .add(path: "/kind", value: "Identity")]))
        let patched = try patch.apply(to: original)
        #expect(patched.objectValue?.keys == ["apiVersion", "spec", "kind"])
        for key in ["apiVersion", "kind", "spec"] { #expect(patched[key] == target[key]) }
        #expect(patched["kind#"] == nil)
        #expect(try JSONPatch(parsing: JSONReader.parse(patch.serialized)) == patch)
    }
}
