import ArgumentParser
import Foundation
import SystemSupport

extension IdentityGuardCommand {
    /// The subcommands whose usage errors exit 2, as the README's "Exit status" promises for `check`, `mutate`
    /// and `audit` ("the arguments cannot be used"); the others keep ArgumentParser's 64.
    static let usageErrorStatus2: Set<String> = ["check", "mutate", "audit"]

    /// ArgumentParser's `main()`, except that a usage error of `check` or `mutate` exits 2.
    ///
    /// Declared on the type, it is what `runFromCommandLine()` calls in place of the protocol's default. CI
    /// scripts branch on `check`'s status (0 clean, 1 denied, 2 unusable input), so an unknown option or format
    /// must not exit 64. The process's allocator is set up first (``ProcessMemory/fixLargeAllocationThreshold()``).
    public static func main() async {
        ProcessMemory.fixLargeAllocationThreshold()
        await main(Array(CommandLine.arguments.dropFirst()))
    }

    /// ``main()`` with explicit arguments.
    public static func main(_ arguments: [String]) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let status = exitCode(for: error)
            let subcommand = arguments.first { !$0.hasPrefix("-") }
            if status == .validationFailure, let subcommand, usageErrorStatus2.contains(subcommand) {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
