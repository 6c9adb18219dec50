public import ArgumentParser
public import IdentityRules
import KubeJSON
import Manifests
import NativePolicies

/// `identity-guard policies`: the rules the apiserver can enforce itself, as ValidatingAdmissionPolicy and
/// MutatingAdmissionPolicy objects with their bindings (README, "Native admission policies").
///
/// `--mode native` prints the policies only; `--mode hybrid` adds the webhook configurations, narrowed with
/// `matchConditions` to what only the webhook can decide.
public struct PoliciesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "policies",
        abstract: "Print the rules as ValidatingAdmissionPolicy / MutatingAdmissionPolicy objects.",
        discussion: """
            One ValidatingAdmissionPolicy (and binding) per rule that CEL can express, at its configured \
            enforcement (deny: validationActions [Deny]; warn: [Warn]; off: nothing), and a \
            MutatingAdmissionPolicy (and binding) per mutating rule. `identity-guard rules` shows which rules \
            only the webhook can decide, and why. The configuration's exemptions become each covered policy's \
            matchConditions. Exit status: 0 printed, 2 the configuration cannot be used.
            """
    )

    @Option(help: "YAML file with per-rule enforcement (rules: { RULE-ID: deny | warn | off }) and exemptions.")
    public var config: String?

    @Option(help: "native: policies only; hybrid: policies plus the webhook narrowed to what needs it.")
    public var mode: PolicyMode = .native

    @Option(help: "Output format: yaml or json.")
    public var output: MutateOutputFormat = .yaml

    public init() {}

    public func run() throws {
        try CommandOutput.emit(Self.execute(configurationFile: config, mode: mode, output: output))
    }

    /// What `policies` prints and its exit status.
    public static func execute(
        configurationFile: String? = nil,
        mode: PolicyMode = .native,
        output: MutateOutputFormat = .yaml
    ) -> CommandOutcome {
        let configuration: RuleConfiguration
        do {
            configuration = try configurationFile.map(RuleConfigurationFile.load) ?? .defaults
        } catch {
            return CommandOutcome(standardError: "identity-guard: \(error.description)\n", status: 2)
        }
        return CommandOutcome(standardOutput: render(configuration: configuration, mode: mode, output: output))
    }

    /// The objects as printed.
    public static func render(configuration: RuleConfiguration, mode: PolicyMode, output: MutateOutputFormat)
        -> String
    {
        let generator = NativePolicyGenerator(configuration: configuration)
        var objects = generator.objects()
        if mode == .hybrid { objects += HybridWebhooks(generator: generator).objects() }
        return MutateCommand.render(objects, output: output)
    }
}

/// `policies --mode`.
public enum PolicyMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    case native
    case hybrid
}
