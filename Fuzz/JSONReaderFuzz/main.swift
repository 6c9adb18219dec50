// libFuzzer target: the JSON reader on arbitrary bytes (RFC 8259, depth, UTF-8). What it reads must write back
// to text that reads as the same value. Build and run with Fuzz/run.sh.
import KubeJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let value = try? JSONReader.parse(bytes) else { return 0 }
    let again = try? JSONReader.parse(JSONWriter.serialize(value))
    precondition(again == value, "writing and reading again changed the value")
    return 0
}
