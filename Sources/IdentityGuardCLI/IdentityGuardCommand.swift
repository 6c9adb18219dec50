public import ArgumentParser

/// The `identity-guard` command: one executable, a subcommand per job (README, "Offline check").
///
/// A library so that tests run the commands in process; `main.swift` only calls ``main()``.
public struct IdentityGuardCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "identity-guard",
        abstract: "Admission webhook and policy checker for User (auth.alauda.io) and Identity (user.openshift.io).",
        version: IdentityGuardVersion.current,
        subcommands: [ServeCommand.self, CheckCommand.self, MutateCommand.self, AuditCommand.self, RulesCommand.self,
                      PoliciesCommand.self, VersionCommand.self]
    )

    public init() {}
}

extension IdentityGuardCommand {
    /// Parses the process arguments and runs the chosen subcommand; what `main.swift` calls.
    public static func runFromCommandLine() async {
        await main()
    }
}
