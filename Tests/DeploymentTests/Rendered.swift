import Foundation
import IdentityRules
import Manifests
import Testing
import Yams

/// The repository, and `kubectl kustomize` output as engine values.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct CommandResult {
        var status: Int32
        var output: String
        var error: String
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.currentDirectoryURL = root
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                             error: String(decoding: errorData, as: UTF8.self))
    }

    /// Every object `kubectl kustomize DIRECTORY` renders.
    static func kustomize(_ directory: String) throws -> [JSONValue] {
        let result = try run("kubectl", ["kustomize", directory])
        #expect(result.status == 0, "kubectl kustomize \(directory) failed: \(result.error)")
        return try Yams.compose_all(yaml: result.output).map(YAMLValueConverter.jsonValue(from:))
    }

    static func object(_ objects: [JSONValue], kind: String, name: String? = nil) throws -> JSONValue {
        try #require(objects.first { $0["kind"]?.stringValue == kind
            && (name == nil || $0["metadata"]?["name"]?.stringValue == name) }, "no \(kind) \(name ?? "")")
    }
}
