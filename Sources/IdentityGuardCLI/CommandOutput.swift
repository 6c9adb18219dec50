import ArgumentParser
import Foundation

/// Prints a ``CommandOutcome`` and ends the command with its status.
enum CommandOutput {
    static func emit(_ outcome: CommandOutcome) throws(ExitCode) {
        if !outcome.standardOutput.isEmpty { FileHandle.standardOutput.write(Data(outcome.standardOutput.utf8)) }
        if !outcome.standardError.isEmpty { FileHandle.standardError.write(Data(outcome.standardError.utf8)) }
        if outcome.status != 0 { throw ExitCode(outcome.status) }
    }
}
