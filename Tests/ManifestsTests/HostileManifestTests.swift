import Foundation
import IdentityRules
import KubeJSON
import Manifests
import Testing

/// The rest of what someone opening a pull request controls, a test each: file size, symlink loops in a
/// directory tree, very many small documents, very long scalars. Bounds are asserted by counts and sizes; the sizes are
/// kept small enough not to starve the timing-sensitive suites that run in parallel.
@Suite("Hostile manifests: size cap, symlink loops, many documents, long scalars")
struct HostileManifestTests {
    private static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("identity-guard-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func user(_ name: String) -> String {
        "apiVersion: auth.alauda.io/v1\nkind: User\nmetadata:\n  name: \(name)\nspec:\n  email: \(name)@example.com\n"
    }

    @Test("a file over the size cap is an unusable input naming the cap and its flag; the cap is configurable")
    func sizeCap() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/big.yaml"
        let text = Self.user("big")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let refused = await ManifestLoader(maximumFileBytes: text.utf8.count - 1).load([path])
        #expect(refused.map(\.error?.description) == [
            "\(path): larger than \(text.utf8.count - 1) bytes (raise it with --max-file-bytes)",
        ])
        #expect(refused[0].error?.reason == .unreadable)
        let accepted = await ManifestLoader(maximumFileBytes: text.utf8.count).load([path])
        #expect(accepted[0].error == nil)
        #expect(accepted[0].documents.count == 1)
        let stdin = await ManifestLoader(maximumFileBytes: 10).load(["-"], standardInput: { Array(text.utf8) })
        #expect(stdin[0].error?.description == "stdin: larger than 10 bytes (raise it with --max-file-bytes)")
        #expect(ManifestLoader().maximumFileBytes == 64 * 1024 * 1024)
    }

    @Test("an endless device is read no further than the cap")
    func endlessDevice() async throws {
        let files = await ManifestLoader(maximumFileBytes: 1024).load(["/dev/zero"])
        #expect(files[0].error?.description == "/dev/zero: larger than 1024 bytes (raise it with --max-file-bytes)")
    }

    @Test("a directory tree with symlink loops is walked once, each file once")
    func symlinkLoops() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/a/b", withIntermediateDirectories: true)
        try Self.user("one").write(toFile: directory + "/a/one.yaml", atomically: true, encoding: .utf8)
        try Self.user("two").write(toFile: directory + "/a/b/two.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/a/b/up", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: directory + "/a/self", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: directory + "/a/ping", withDestinationPath: "pong")
        try FileManager.default.createSymbolicLink(atPath: directory + "/a/pong", withDestinationPath: "ping")
        let sources = ManifestLoader.sources(for: [directory + "/a"]).map { try? $0.get() }
        #expect(sources == [.file(directory + "/a/b/two.yaml"), .file(directory + "/a/one.yaml")])
    }

    @Test("5,000 small documents in one file: every one read, in order")
    func manySmallDocuments() {
        let count = 5_000
        let text = (0..<count).map { Self.user("u\($0)") }.joined(separator: "---\n")
        let file = ManifestLoader.parse(text: text, name: "many.yaml", path: nil)
        #expect(file.error == nil)
        #expect(file.documents.count == count)
        #expect(file.documents.last?.value["metadata"]?["name"] == .string("u\(count - 1)"))
        #expect(file.documents.last?.index == count)
    }

    @Test("a 1 MB scalar is read whole and checked like any other value")
    func longScalar() {
        let long = String(repeating: "x", count: 1024 * 1024)
        let text = "apiVersion: auth.alauda.io/v1\nkind: User\nmetadata:\n  name: long\nspec:\n  email: \(long)\n"
        let file = ManifestLoader.parse(text: text, name: "long.yaml", path: nil)
        #expect(file.error == nil)
        #expect(file.documents.first?.value["spec"]?["email"]?.stringValue?.utf8.count == long.utf8.count)
        let report = ManifestChecker().check([file])
        #expect(report.findings.map(\.rule) == ["user.email"])
    }
}
