public import CoreMetrics

/// The email claims' metrics as typed handles, made once from the server's metrics factory.
public struct ClaimMetrics: Sendable {
    /// `identity_guard_email_claims_total`: emails taken (a Lease created or taken over).
    public let taken: Counter
    /// `identity_guard_email_claim_conflicts_total`: claims lost to another User (a duplicate refused).
    public let conflicts: Counter
    /// `identity_guard_email_claim_errors_total`: claims that could not be made (apiserver unreachable,
    /// refused, too slow); each refused the admission.
    public let errors: Counter
    /// `identity_guard_email_claims_voided_total`: claims taken over because the watch showed their holder
    /// stored and then deleted or stored with another email.
    public let voided: Counter
    /// `identity_guard_email_claim_duration_seconds`: how long a claim took, as a histogram.
    public let duration: CoreMetrics.Timer

    public static let durationLabel = "identity_guard_email_claim_duration_seconds"

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        taken = Counter(label: "identity_guard_email_claims_total", factory: factory)
        conflicts = Counter(label: "identity_guard_email_claim_conflicts_total", factory: factory)
        errors = Counter(label: "identity_guard_email_claim_errors_total", factory: factory)
        voided = Counter(label: "identity_guard_email_claims_voided_total", factory: factory)
        duration = CoreMetrics.Timer(label: Self.durationLabel, factory: factory)
    }
}
