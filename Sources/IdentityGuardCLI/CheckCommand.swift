public import ArgumentParser
import ClusterCache
import Foundation
import IdentityGuardService
import IdentityRules
import Manifests

/// `identity-guard check`: the webhook's verdict on YAML/JSON manifests before they reach a cluster (README,
/// "Offline check").
///
/// Every document of every path is checked together (emails are unique across files) by the engine the
/// webhook runs, and every finding points at its field's line and column. The work is in ``execute(_:)`` so
/// that tests get the exact output and status in process.
public struct CheckCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check User and Identity manifests against the rules, offline.",
        discussion: """
            PATH is a file, a directory (read recursively: *.yaml, *.yml, *.json) or - for standard input. \
            Multi-document YAML and kind: List are read; documents of other kinds are skipped and counted. \
            Exit status: 0 nothing denied (warnings allowed), 1 a document violates a rule at deny, \
            2 an input or argument cannot be used (unreadable file, YAML syntax error, bad --config, \
            unknown option).
            """
    )

    @Argument(help: "Files, directories or - (standard input).")
    public var paths: [String] = []

    @Option(help: "Output format: text, json, sarif or junit.")
    public var format: CheckFormat = .text

    @Option(help: "YAML file with per-rule enforcement: rules: { RULE-ID: deny | warn | off }.")
    public var config: String?

    @Option(help: """
        Also check user.email-unique and identity.user-exists against the Users of this kubeconfig's cluster.
        """)
    public var kubeconfig: String?

    @Option(name: .customLong("max-file-bytes"), help: "Largest file (or standard input) read, in bytes.")
    public var maxFileBytes: Int = ManifestLoader.defaultMaximumFileBytes

    public init() {}

    public func validate() throws {
        guard !paths.isEmpty else {
            throw ValidationError("give at least one PATH: a file, a directory, or - for standard input")
        }
    }

    public func run() async throws {
        let progress = ProgressLine.onStandardError()
        let outcome = await Self.execute(
            paths: paths, format: format, configurationFile: config, kubeconfig: kubeconfig,
            maximumFileBytes: maxFileBytes,
            progress: progress.map { line in { @Sendable done, total in line.update(done, of: total) } })
        progress?.finish()
        try CommandOutput.emit(outcome)
    }

    /// Runs a check and returns what it prints and its exit status.
    public static func execute(
        paths: [String],
        format: CheckFormat = .text,
        configurationFile: String? = nil,
        kubeconfig: String? = nil,
        maximumFileBytes: Int? = nil,
        standardInput: (@Sendable () -> [UInt8])? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async -> CommandOutcome {
        let configuration: RuleConfiguration
        do {
            configuration = try configurationFile.map(RuleConfigurationFile.load) ?? .defaults
        } catch {
            return CommandOutcome(standardError: "identity-guard: \(error.description)\n", status: 2)
        }
        let loader = ManifestLoader(maximumFileBytes: maximumFileBytes ?? ManifestLoader.defaultMaximumFileBytes)
        let files = await loader.load(paths, standardInput: standardInput ?? ManifestLoader.readStandardInput,
                                      progress: progress)
        var clusterUsers: [(name: String, email: String?)] = []
        if let kubeconfig {
            do {
                let credentials = try ClusterSource.kubeconfig(kubeconfig).requireCredentials()
                clusterUsers = try await ClusterReads.userEmails(credentials: credentials)
            } catch {
                return CommandOutcome(standardError: "identity-guard: --kubeconfig: \(error)\n", status: 2)
            }
        }
        let report = ManifestChecker(engine: RuleEngine(configuration: configuration))
            .check(files, clusterUsers: clusterUsers)
        let output: String
        switch format {
        case .text: output = TextReporter.render(report)
        case .json: output = JSONReporter.render(report)
        case .sarif: output = SARIFReporter.render(report, configuration: configuration)
        case .junit: output = JUnitReporter.render(report)
        }
        let errors = OfflineExemptions.notes(configuration) + report.errors.map { "\($0.description)\n" }.joined()
        return CommandOutcome(standardOutput: output, standardError: errors, status: report.exitStatus)
    }
}
