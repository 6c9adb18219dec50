import KubeJSON
import Foundation

/// Runs a program to its end and keeps what it printed: the `identity-guard` executable as a user runs it,
/// `kubectl`, `openssl`, scripts of the repository.
package enum Subprocess {
    /// What a finished program printed, and its exit status.
    package struct Result: Sendable {
        package var status: Int32
        package var standardOutput: String
        package var standardError: String
    }

    /// The repository's root folder.
    package static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `identity-guard` executable built beside the test runner (`.build/<triple>/debug/`).
    package static var identityGuard: URL {
        let directory = Bundle.main.executableURL?.deletingLastPathComponent() ?? Bundle.main.bundleURL
        return directory.appendingPathComponent("identity-guard")
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments` in `directory`, feeding
    /// `standardInput` when given.
    package static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: URL = repositoryRoot,
        standardInput: String? = nil,
        environment: [String: String]? = nil
    ) throws -> Result {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        process.currentDirectoryURL = directory
        if let environment { process.environment = environment }
        let output = Pipe()
        let error = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput == nil ? FileHandle.nullDevice : input
        try process.run()
        if let standardInput {
            input.fileHandleForWriting.write(Data(standardInput.utf8))
            try input.fileHandleForWriting.close()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      standardOutput: String(decoding: outputData, as: UTF8.self),
                      standardError: String(decoding: errorData, as: UTF8.self))
    }
}
