public import ClusterCache
public import CoreMetrics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import IdentityRules
public import Logging
import NIOConcurrencyHelpers
import SystemSupport
public import ServiceLifecycle

/// `serve --audit-interval`: the stored Users and Identities audited again and again, without a copy of them.
///
/// Every interval, once the cache has its first list, a ``PagedAudit`` reads the cluster in pages through the
/// cache's apiserver client and checks each object as its page arrives — the process keeps no whole objects
/// between audits, and during one only a page and the ``CompactStoredUsers``;
/// `identity_guard_audit_violations{rule}` follows the current count per rule
/// (a fix brings it down, a new violation up), `identity_guard_audit_last_run_timestamp_seconds` says when, and
/// each finding that is new since the previous audit is logged once (the messages never hold a secret value).
public final class PeriodicAudit: Service, Sendable {
    public let interval: Duration
    private let client: KubernetesClient
    private let audit: PagedAudit
    private let isReady: @Sendable () -> Bool
    private let logger: Logger
    private let violations: [RuleID: Gauge]
    private let lastRun: Gauge
    private let previous = NIOLockedValueBox<Set<String>>([])

    public init(interval: Duration, client: KubernetesClient, auditor: ClusterAuditor, pageSize: Int = 500,
                factory: any MetricsFactory, logger: Logger, isReady: @escaping @Sendable () -> Bool = { true })
    {
        self.interval = interval
        self.client = client
        audit = PagedAudit(auditor: auditor, pageSize: pageSize)
        self.isReady = isReady
        self.logger = logger
        violations = Dictionary(uniqueKeysWithValues: RuleCatalog.ids.map { id in
            (id, Gauge(label: "identity_guard_audit_violations", dimensions: [("rule", id.rawValue)],
                       factory: factory))
        })
        lastRun = Gauge(label: "identity_guard_audit_last_run_timestamp_seconds", factory: factory)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if isReady() { await runOnce() }
            }
        }
    }

    /// One audit of what the cluster stores now; returns its report, or nil when the cluster could not be read
    /// (logged; the metrics keep the previous audit's counts).
    @discardableResult
    public func runOnce() async -> FindingReport? {
        let report: FindingReport
        do {
            report = try await audit.run(client: client, logger: logger).report
            // The pages were parsed into short-lived objects: hand what they freed back, as the cache does after
            // a list, so that between audits the process is the cache's size again.
            ProcessMemory.returnFreed()
        } catch {
            logger.warning("audit failed: cannot list the stored objects", metadata: ["error": "\(error)"])
            return nil
        }
        var counts: [RuleID: Int] = [:]
        // An exempted finding is neither counted nor logged: the audit's alert is about what nobody allowed.
        let findings = report.findings.filter { !$0.finding.isExempted }
        let findingKeys = findings.map { "\($0.place)\u{0}\($0.rule)\u{0}\($0.message)" }
        let keys = Set(findingKeys)
        for finding in findings { counts[finding.rule, default: 0] += 1 }
        for (rule, gauge) in violations { gauge.record(counts[rule] ?? 0) }
        lastRun.record(Date().timeIntervalSince1970)
        let known = previous.withLockedValue { previous in
            defer { previous = keys }
            return previous
        }
        for (finding, key) in zip(findings, findingKeys) where !known.contains(key) {
            logger.warning("audit finding", metadata: [
                "object": "\(finding.place)", "rule": "\(finding.rule)", "enforcement": "\(finding.enforcement)",
                "field": "\(finding.field)", "message": "\(finding.message)",
            ])
        }
        logger.info("audit done", metadata: [
            "objects": "\(report.summary.checked)", "denied": "\(report.summary.denied)",
            "warned": "\(report.summary.warnings)", "findings": "\(findings.count)",
        ])
        return report
    }
}
