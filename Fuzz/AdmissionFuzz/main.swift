// libFuzzer target: the whole admission path on arbitrary bytes — decode, evaluate, encode — for /validate and
// /mutate. Every answer must be JSON; a /mutate patch must apply to the object, and /mutate on the patched object
// must patch nothing more (the apiserver may reinvoke it).
import Admission
import KubeJSON

let handler = ReviewCodec()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let validated = try? handler.handle(body: bytes, as: .validating) else { return 0 }
    precondition((try? JSONReader.parse(validated.body)) != nil, "/validate answered with something not JSON")
    guard let mutated = try? handler.handle(body: bytes, as: .mutating) else { return 0 }
    precondition((try? JSONReader.parse(mutated.body)) != nil, "/mutate answered with something not JSON")
    guard let patch = mutated.outcome.response.patch, let object = mutated.request.object else { return 0 }
    guard let patched = try? patch.apply(to: object) else { preconditionFailure("the /mutate patch does not apply") }
    guard var review = (try? JSONReader.parse(bytes))?.objectValue, var request = review["request"]?.objectValue
    else { return 0 }
    request["object"] = patched
    review["request"] = .object(request)
    let again = try? handler.handle(body: JSONWriter.serialize(.object(review)), as: .mutating)
    precondition(again?.outcome.response.patch == nil, "/mutate is not idempotent")
    return 0
}
