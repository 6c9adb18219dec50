public import ArgumentParser

/// `identity-guard version`: the release, for bug reports and deployment checks.
public struct VersionCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the identity-guard version."
    )

    public init() {}

    public func run() {
        print("identity-guard \(IdentityGuardVersion.current)")
    }
}
