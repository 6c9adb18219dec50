// libFuzzer target: the rule-configuration reader (`--config FILE`) on arbitrary text: it either gives a
// configuration or a ConfigurationError naming the file, never a crash.
import Foundation
import IdentityRules
import Manifests

let path = FileManager.default.temporaryDirectory.appendingPathComponent("identity-guard-fuzz-\(getpid()).yaml").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = Data(UnsafeRawBufferPointer(start: start, count: count))
    guard FileManager.default.createFile(atPath: path, contents: data) else { return 0 }
    do {
        _ = try RuleConfigurationFile.load(path)
    } catch {
        precondition(error.file == path, "a configuration error that does not name the file")
    }
    return 0
}
