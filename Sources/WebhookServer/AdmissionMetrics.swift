public import Admission
import ClusterCache
import IdentityRules
import CoreMetrics
import Metrics
public import Prometheus
import NIOConcurrencyHelpers

/// The webhook's Prometheus metrics, recorded through swift-metrics into a registry this server owns.
///
/// Handles are made once per label set and cached, so a request costs a dictionary lookup and an atomic add —
/// no middleware and no allocation on the hot path (Hummingbird's metrics middleware costs a quarter of the
/// throughput; README, "Performance"). `MetricsSystem.bootstrap` is never called: the registry is passed in, so tests
/// can run several servers in one process.
public final class AdmissionMetrics: Sendable {
    private struct RequestKey: Hashable {
        var endpoint: WebhookType
        var kind: ResourceKind?
        var operation: String
        var decision: AdmissionOutcome.Decision
    }

    private struct RejectionKey: Hashable {
        var endpoint: WebhookType
        var code: Int
    }

    public let registry: PrometheusCollectorRegistry
    /// The factory behind every metric of this registry: the cluster cache makes its handles from it.
    public let factory: PrometheusMetricsFactory
    private let requests = NIOLockedValueBox<[RequestKey: CoreMetrics.Counter]>([:])
    private let rejections = NIOLockedValueBox<[RejectionKey: CoreMetrics.Counter]>([:])
    private let violations = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])
    private let mutations = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])
    private let durations: [WebhookType: CoreMetrics.Timer]
    private let inFlight: Meter
    private let certificateExpiry: CoreMetrics.Gauge

    public static let durationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .seconds(1),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["identity_guard_admission_duration_seconds"] = Self.durationBuckets
        factory.durationHistogramBuckets[ClaimMetrics.durationLabel] = Self.durationBuckets
        self.factory = factory
        durations = [
            .validating: CoreMetrics.Timer(label: "identity_guard_admission_duration_seconds",
                                           dimensions: [("endpoint", "validate")], factory: factory),
            .mutating: CoreMetrics.Timer(label: "identity_guard_admission_duration_seconds",
                                         dimensions: [("endpoint", "mutate")], factory: factory),
        ]
        inFlight = Meter(label: "identity_guard_inflight_requests", factory: factory)
        certificateExpiry = CoreMetrics.Gauge(label: "identity_guard_certificate_expiry_timestamp_seconds", factory: factory)
    }

    /// One admission answered (allowed, denied, patched, errored or skipped).
    public func recordAdmission(endpoint: WebhookType, outcome: AdmissionOutcome, operation: String, nanoseconds: Int64) {
        let key = RequestKey(endpoint: endpoint, kind: outcome.kind, operation: operation.isEmpty ? "unknown" : operation,
                             decision: outcome.decision)
        counter(in: requests, key: key) {
            CoreMetrics.Counter(label: "identity_guard_admission_requests_total", dimensions: [
                ("endpoint", key.endpoint.endpoint), ("kind", key.kind?.rawValue ?? "other"),
                ("operation", key.operation), ("decision", key.decision.rawValue),
            ], factory: factory)
        }.increment()
        durations[endpoint]?.recordNanoseconds(nanoseconds)
        guard !outcome.ruleIDs.isEmpty else { return }
        let store = endpoint == .validating ? violations : mutations
        let label = endpoint == .validating ? "identity_guard_violations_total" : "identity_guard_mutations_total"
        for rule in outcome.ruleIDs {
            counter(in: store, key: rule.rawValue) {
                CoreMetrics.Counter(label: label, dimensions: [("rule", rule.rawValue)], factory: factory)
            }.increment()
        }
    }

    /// A request refused before it was an admission (400, 413, 415).
    public func recordRejection(endpoint: WebhookType, code: Int) {
        let key = RejectionKey(endpoint: endpoint, code: code)
        counter(in: rejections, key: key) {
            CoreMetrics.Counter(label: "identity_guard_rejected_requests_total",
                    dimensions: [("endpoint", endpoint.endpoint), ("code", String(code))], factory: factory)
        }.increment()
    }

    public func requestStarted() { inFlight.increment() }
    public func requestFinished() { inFlight.decrement() }

    /// The serving certificate's `notAfter`, as seconds since 1970.
    public func certificateLoaded(expiresAt secondsSince1970: Double) {
        certificateExpiry.record(secondsSince1970)
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    private func counter<Key: Hashable>(
        in store: NIOLockedValueBox<[Key: CoreMetrics.Counter]>,
        key: Key,
        make: () -> CoreMetrics.Counter
    ) -> CoreMetrics.Counter {
        store.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = make()
            counters[key] = counter
            return counter
        }
    }
}
