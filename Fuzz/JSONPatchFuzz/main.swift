// libFuzzer target: JSON Patch diff and apply. An input that reads as a JSON array of two values [a, b] must
// round-trip: apply(diff(a, b), a) == b as JSON values (member order aside), and the patch must survive being
// written and read again.
import KubeJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let pair = try? JSONReader.parse(bytes), let values = pair.arrayValue, values.count == 2 else { return 0 }
    let (original, target) = (values[0], values[1])
    let patch = JSONPatch.diff(from: original, to: target)
    let patched = try? patch.apply(to: original)
    precondition(patched?.canonical == target.canonical, "apply(diff(a, b), a) != b")
    let reread = try? JSONPatch(parsing: JSONReader.parse(patch.serialized))
    precondition(reread == patch, "a patch changed when written and read again")
    return 0
}

extension JSONValue {
    /// The value as JSON means it: member order does not matter (a patch's `add` appends), and a duplicated key
    /// keeps its last value, as lookups do.
    var canonical: JSONValue {
        switch self {
        case .array(let elements): return .array(elements.map(\.canonical))
        case .object(let object):
            let keys = Set(object.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return .object(JSONObject(keys.map { JSONObject.Member(key: $0, value: object[$0]?.canonical ?? .null) }))
        default: return self
        }
    }
}
