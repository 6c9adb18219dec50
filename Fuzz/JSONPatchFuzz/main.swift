// libFuzzer target: JSON Patch diff and apply. An input that reads as a JSON array of two values [a, b] must
// round-trip: apply(diff(a, b), a) == b, and the patch must survive being written and read again.
import KubeJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let pair = try? JSONReader.parse(bytes), let values = pair.arrayValue, values.count == 2 else { return 0 }
    let (original, target) = (values[0], values[1])
    let patch = JSONPatch.diff(from: original, to: target)
    let patched = try? patch.apply(to: original)
    precondition(patched == target.withoutDuplicateKeys, "apply(diff(a, b), a) != b")
    let reread = try? JSONPatch(parsing: JSONReader.parse(patch.serialized))
    precondition(reread == patch, "a patch changed when written and read again")
    return 0
}

extension JSONValue {
    /// The value as lookups see it: a duplicated key keeps its last value, at the place of its first.
    var withoutDuplicateKeys: JSONValue {
        switch self {
        case .array(let elements): return .array(elements.map(\.withoutDuplicateKeys))
        case .object(let object):
            var result = JSONObject()
            for member in object.members where !result.contains(key: member.key) {
                result[member.key] = object[member.key]?.withoutDuplicateKeys
            }
            return .object(result)
        default: return self
        }
    }
}
