public import ArgumentParser
import ClusterAudit
import IdentityGuardService
public import ClusterCache
import Foundation
import IdentityRules
import KubeJSON
import Manifests

/// `identity-guard audit`: what the cluster already stores, checked by the webhook's rules (README, "Audit").
///
/// Lists every User and Identity in pages and runs ``ClusterAuditor``: each object as an UPDATE of itself, plus
/// the checks only all of them together allow (shared emails, Identities naming no User or another uid). The work
/// is in ``execute(credentials:format:configurationFile:now:)`` so that tests get the exact output and status.
public struct AuditCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the Users and Identities stored in a cluster against the rules.",
        discussion: """
            Reads the cluster of --kubeconfig's current context, or with --in-cluster the pod's service account \
            (needs get/list on users.auth.alauda.io and identities.user.openshift.io). Findings are named \
            cluster:KIND/NAME. Exit status: 0 nothing denied, 1 a stored object violates a rule at deny, \
            2 the cluster cannot be read or an argument cannot be used.
            """
    )

    @Option(help: "Read the cluster of this kubeconfig's current context.")
    public var kubeconfig: String?

    @Flag(name: .customLong("in-cluster"), help: "Read the cluster with the pod's service account.")
    public var inCluster = false

    @Option(help: "Output format: text, json, sarif, junit or policyreport (a wgpolicyk8s.io ClusterPolicyReport).")
    public var format: AuditFormat = .text

    @Option(help: "YAML file with per-rule enforcement: rules: { RULE-ID: deny | warn | off }.")
    public var config: String?

    public init() {}

    public func validate() throws {
        guard (kubeconfig != nil) != inCluster else {
            throw ValidationError("choose where the cluster is: --kubeconfig FILE or --in-cluster")
        }
    }

    public func run() async throws {
        let credentials: KubernetesCredentials
        do {
            credentials = try (kubeconfig.map(ClusterSource.kubeconfig) ?? .inCluster).requireCredentials()
        } catch {
            try CommandOutput.emit(CommandOutcome(standardError: "identity-guard: \(error)\n", status: 2))
            return
        }
        let outcome = await Self.execute(credentials: credentials, format: format, configurationFile: config)
        try CommandOutput.emit(outcome)
    }

    /// Audits the cluster `credentials` reach; returns what it prints and its exit status.
    public static func execute(
        credentials: KubernetesCredentials,
        format: AuditFormat = .text,
        configurationFile: String? = nil,
        now: Int64? = nil,
        pageSize: Int = 500
    ) async -> CommandOutcome {
        let now = now ?? Int64(Date().timeIntervalSince1970)
        let configuration: RuleConfiguration
        do {
            configuration = try configurationFile.map(RuleConfigurationFile.load) ?? .defaults
        } catch {
            return CommandOutcome(standardError: "identity-guard: \(error.description)\n", status: 2)
        }
        let auditor = ClusterAuditor(configuration: configuration)
        let audited: PagedAudit.Outcome
        do {
            audited = try await ClusterReads.audit(credentials: credentials, auditor: auditor,
                                                   keepingClean: format == .junit, pageSize: pageSize)
        } catch {
            return CommandOutcome(standardError: "identity-guard: \(error)\n", status: 2)
        }
        let report = audited.report
        let notes = OfflineExemptions.notes(configuration) + (audited.identitiesServed ? "" : "identity-guard: "
            + "\(ResourceKind.identity.qualifiedResource) is not served by this cluster; no Identities audited\n")
        let output: String
        switch format {
        case .text: output = TextReporter.render(report)
        case .json: output = JSONReporter.render(report)
        case .sarif: output = SARIFReporter.render(report, configuration: auditor.configuration)
        case .junit: output = JUnitReporter.render(report)
        case .policyreport: output = PolicyReportReporter.render(report, now: now)
        }
        return CommandOutcome(standardOutput: output, standardError: notes, status: report.exitStatus)
    }
}
