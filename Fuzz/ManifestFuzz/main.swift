// libFuzzer target: the YAML manifest loader with positions on arbitrary text, then the checker and mutator over
// what it read. Nothing may crash; every finding must have a position inside the text (lines counted as YAML
// counts them: the first finding, a file with lone CR line breaks, is now a regression test).
import Foundation
import IdentityRules
import Manifests

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let file = ManifestLoader.parse(bytes: bytes, name: "fuzz.yaml", path: nil)
    let report = ManifestChecker().check([file])
    // Lines as YAML counts them: LF, CR LF, and a lone CR each end one.
    var lines = 1
    for (index, byte) in bytes.enumerated() {
        if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && bytes.dropFirst(index + 1).first != 10) {
            lines += 1
        }
    }
    for finding in report.findings {
        guard let position = finding.location?.position else { continue }
        precondition(position.line >= 1 && position.line <= lines, "a finding outside the text")
    }
    _ = ManifestMutator().mutate(file).rewrittenText
    return 0
}
