import Foundation
import IdentityGuardTesting
import Testing

/// The release build's function order (`deploy/hot-functions.txt`, written by `Benchmarks/load/hot-functions.sh`):
/// gold reads each line as a section name, or as a pattern when it holds `*`, `?` or `[` — one stray character
/// would move any number of functions — and the image must lay out its code as the benchmarks measured it.
@Suite("The release build's function order")
struct ReleaseBuildTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: Repository.root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("every line of deploy/hot-functions.txt but its header names one text section exactly, once")
    func orderIsExact() throws {
        let lines = try Self.text("deploy/hot-functions.txt").split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("# ") == true, "a header saying where the list comes from")
        for line in lines {
            #expect(!line.contains { "*?[".contains($0) }, "gold would read a pattern: \(line)")
        }
        let sections = Array(lines.dropFirst())
        #expect(sections.count > 500)
        for section in sections {
            #expect(section.hasPrefix(".text.") && section.count > 6 && !section.contains(" "), "\(section)")
        }
        #expect(Set(sections).count == sections.count, "a section is listed twice")
        // The hot path's own code is in it: the reader, the rules, the responder, the runtime's retain.
        for function in ["$s8KubeJSON10JSONReaderV10readString", "$s13IdentityRules10RuleEngineV8validate",
                         "$s13WebhookServer18HTTPRequestHandlerC11channelRead", "swift_retain"]
        {
            #expect(sections.contains { $0.hasPrefix(".text." + function) }, "\(function) is missing")
        }
    }

    @Test("the image and the benchmarks' release build both lay out the functions in that order")
    func buildsUseTheOrder() throws {
        let containerfile = try Self.text("Containerfile")
        let releaseBuild = try Self.text("Benchmarks/release-build.sh")
        for text in [containerfile, releaseBuild] {
            #expect(text.contains("-Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections"))
            #expect(text.contains("-Xlinker --section-ordering-file -Xlinker"))
            #expect(text.contains("/deploy/hot-functions.txt"))
        }
        #expect(containerfile.contains("COPY deploy/hot-functions.txt ./deploy/"))
    }
}
