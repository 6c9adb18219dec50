public import Admission
import IdentityRules
import CoreMetrics
import Metrics
public import Prometheus
import NIOConcurrencyHelpers

/// The webhook's Prometheus metrics, recorded through swift-metrics into a registry this server owns.
///
/// Handles are made once per label set and cached, so a request costs a dictionary lookup and an atomic add —
/// no middleware and no allocation on the hot path (Hummingbird's metrics middleware costs a quarter of the
/// throughput, STACK-NOTES). `MetricsSystem.bootstrap` is never called: the registry is passed in, so tests
/// can run several servers in one process.
public final class AdmissionMetrics: Sendable {
    /// The endpoint a request arrived at.
    public enum Endpoint: String, Sendable, Hashable {
        case validate
        case mutate
    }

    private struct RequestKey: Hashable {
        var endpoint: Endpoint
        var kind: ResourceKind?
        var operation: String
        var decision: AdmissionOutcome.Decision
    }

    private struct RejectionKey: Hashable {
        var endpoint: Endpoint
        var code: Int
    }

    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let requests = NIOLockedValueBox<[RequestKey: CoreMetrics.Counter]>([:])
    private let rejections = NIOLockedValueBox<[RejectionKey: CoreMetrics.Counter]>([:])
    private let violations = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])
    private let mutations = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])
    private let durations: [Endpoint: CoreMetrics.Timer]
    private let inFlight: Meter
    private let certificateExpiry: CoreMetrics.Gauge
    private let cacheGauges = NIOLockedValueBox<[String: CoreMetrics.Gauge]>([:])
    private let namedCounters = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])

    public static let durationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .seconds(1),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["identity_guard_admission_duration_seconds"] = Self.durationBuckets
        self.factory = factory
        durations = [
            .validate: CoreMetrics.Timer(label: "identity_guard_admission_duration_seconds",
                                     dimensions: [("endpoint", "validate")], factory: factory),
            .mutate: CoreMetrics.Timer(label: "identity_guard_admission_duration_seconds",
                                   dimensions: [("endpoint", "mutate")], factory: factory),
        ]
        inFlight = Meter(label: "identity_guard_inflight_requests", factory: factory)
        certificateExpiry = CoreMetrics.Gauge(label: "identity_guard_certificate_expiry_timestamp_seconds", factory: factory)
    }

    /// One admission answered (allowed, denied, patched, errored or skipped).
    public func recordAdmission(endpoint: Endpoint, outcome: AdmissionOutcome, operation: String, nanoseconds: Int64) {
        let key = RequestKey(endpoint: endpoint, kind: outcome.kind, operation: operation.isEmpty ? "unknown" : operation,
                             decision: outcome.decision)
        counter(in: requests, key: key) {
            CoreMetrics.Counter(label: "identity_guard_admission_requests_total", dimensions: [
                ("endpoint", key.endpoint.rawValue), ("kind", key.kind?.rawValue ?? "other"),
                ("operation", key.operation), ("decision", key.decision.rawValue),
            ], factory: factory)
        }.increment()
        durations[endpoint]?.recordNanoseconds(nanoseconds)
        guard !outcome.ruleIDs.isEmpty else { return }
        let store = endpoint == .validate ? violations : mutations
        let label = endpoint == .validate ? "identity_guard_violations_total" : "identity_guard_mutations_total"
        for rule in outcome.ruleIDs {
            counter(in: store, key: rule.rawValue) {
                CoreMetrics.Counter(label: label, dimensions: [("rule", rule.rawValue)], factory: factory)
            }.increment()
        }
    }

    /// A request refused before it was an admission (400, 413, 415).
    public func recordRejection(endpoint: Endpoint, code: Int) {
        let key = RejectionKey(endpoint: endpoint, code: code)
        counter(in: rejections, key: key) {
            CoreMetrics.Counter(label: "identity_guard_rejected_requests_total",
                    dimensions: [("endpoint", endpoint.rawValue), ("code", String(code))], factory: factory)
        }.increment()
    }

    public func requestStarted() { inFlight.increment() }
    public func requestFinished() { inFlight.decrement() }

    /// The serving certificate's `notAfter`, as seconds since 1970.
    public func certificateLoaded(expiresAt secondsSince1970: Double) {
        certificateExpiry.record(secondsSince1970)
    }

    /// Sets a gauge about the cluster cache (`identity_guard_cache_users`, …).
    public func setGauge(_ name: String, _ value: Double) {
        let gauge = cacheGauges.withLockedValue { gauges in
            if let gauge = gauges[name] { return gauge }
            let gauge = CoreMetrics.Gauge(label: name, factory: factory)
            gauges[name] = gauge
            return gauge
        }
        gauge.record(value)
    }

    /// Adds one to a counter without labels (`identity_guard_cache_relists_total`, …).
    public func increment(_ name: String) {
        counter(in: namedCounters, key: name) { CoreMetrics.Counter(label: name, factory: factory) }.increment()
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
