import KubeJSON
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
    /// `standardInput` when given. A program still running after `timeLimit` is killed and the call throws, so
    /// that a hang fails its test instead of stalling the run.
    package static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: URL = repositoryRoot,
        standardInput: String? = nil,
        environment: [String: String]? = nil,
        timeLimit: Duration = .seconds(120)
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
        let killed = Locked(false)
        let watchdog = DispatchWorkItem { [process] in
            guard process.isRunning else { return }
            killed.withLock { $0 = true }
            kill(process.processIdentifier, SIGKILL)
        }
        let seconds = Double(timeLimit.components.seconds) + Double(timeLimit.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        defer { watchdog.cancel() }
        if let standardInput {
            input.fileHandleForWriting.write(Data(standardInput.utf8))
            try input.fileHandleForWriting.close()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if killed.current {
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) was still running after \(timeLimit); "
                + "killed")
        }
        return Result(status: process.terminationStatus,
                      standardOutput: String(decoding: outputData, as: UTF8.self),
                      standardError: String(decoding: errorData, as: UTF8.self))
    }
}
