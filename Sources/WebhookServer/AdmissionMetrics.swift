public import Admission
import IdentityRules
import CoreMetrics
import Metrics
public import Prometheus
import NIOConcurrencyHelpers
import NIOPosix

/// The webhook's Prometheus metrics, recorded through swift-metrics into a registry this server owns.
///
/// Handles are made once per label set and cached, and each thread keeps the handles it has used, so a request
/// costs an array index and an atomic add — no lock, no middleware and no allocation on the hot path
/// (a metrics middleware would cost a good part of the throughput; README, "Performance").
/// `MetricsSystem.bootstrap` is never called: the registry is passed in, so tests
/// can run several servers in one process.
public final class AdmissionMetrics: Sendable {
    private struct RequestKey: Hashable {
        var endpoint: WebhookType
        var kind: ResourceKind?
        var operation: String
        var decision: ReviewVerdict.Decision

        static let operations = ["CREATE", "UPDATE", "DELETE", "CONNECT", "unknown"]
        static let slotCount = 2 * 3 * operations.count * 6

        /// The key's place in a thread's ``HandleCache``; nil for an operation outside the admission API's four.
        var slot: Int? {
            guard let operationIndex = Self.operations.firstIndex(of: operation) else { return nil }
            let endpointIndex = endpoint == .validating ? 0 : 1
            let kindIndex = switch kind {
            case .user: 0
            case .identity: 1
            case nil: 2
            }
            let decisionIndex = switch decision {
            case .allowed: 0
            case .warned: 1
            case .patched: 2
            case .denied: 3
            case .errored: 4
            case .skipped: 5
            }
            return ((endpointIndex * 3 + kindIndex) * Self.operations.count + operationIndex) * 6 + decisionIndex
        }
    }

    /// The handles one thread has used. Only its own thread touches it, hence unchecked.
    private final class HandleCache: @unchecked Sendable {
        var requests = [CoreMetrics.Counter?](repeating: nil, count: RequestKey.slotCount)
        var violations: [String: CoreMetrics.Counter] = [:]
        var mutations: [String: CoreMetrics.Counter] = [:]
    }

    /// A refusal by endpoint and HTTP (or `status.code`) status.
    private struct RejectionKey: Hashable {
        var endpoint: WebhookType
        var code: Int
    }

    public let registry: PrometheusCollectorRegistry
    /// The factory behind every metric of this registry: the cluster cache makes its handles from it.
    public let factory: PrometheusMetricsFactory
    private let requests = NIOLockedValueBox<[RequestKey: CoreMetrics.Counter]>([:])
    private let rejections = NIOLockedValueBox<[RejectionKey: CoreMetrics.Counter]>([:])
    private let erroredAnswers = NIOLockedValueBox<[RejectionKey: CoreMetrics.Counter]>([:])
    private let exemptions = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])
    private let violations = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])
    private let mutations = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])
    private let handleCaches = ThreadSpecificVariable<HandleCache>()
    /// The admission duration timers of `/validate` and `/mutate`: two fields, not a dictionary keyed by the
    /// endpoint, whose lookup hashed a string-backed enum on every answer.
    private let validatingDuration: CoreMetrics.Timer
    private let mutatingDuration: CoreMetrics.Timer
    private let inFlight: Meter
    private let certificateExpiry: CoreMetrics.Gauge

    public static let durationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(15), .seconds(30),
    ]

    /// - Parameters:
    ///   - registry: the process's one registry, owned by whoever assembles the server.
    ///   - latencyHistograms: labels of other timers recorded through ``factory`` that should get the same
    ///     sub-millisecond buckets as the admission duration (the email claims' round trip).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                latencyHistograms: [String] = [])
    {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        for label in ["identity_guard_admission_duration_seconds"] + latencyHistograms {
            factory.durationHistogramBuckets[label] = Self.durationBuckets
        }
        self.factory = factory
        validatingDuration = CoreMetrics.Timer(label: "identity_guard_admission_duration_seconds",
                                               dimensions: [("endpoint", "validate")], factory: factory)
        mutatingDuration = CoreMetrics.Timer(label: "identity_guard_admission_duration_seconds",
                                             dimensions: [("endpoint", "mutate")], factory: factory)
        inFlight = Meter(label: "identity_guard_inflight_requests", factory: factory)
        certificateExpiry = CoreMetrics.Gauge(label: "identity_guard_certificate_expiry_timestamp_seconds",
                                              factory: factory)
    }

    /// One admission answered (allowed, denied, patched, errored or skipped).
    public func recordAdmission(endpoint: WebhookType, outcome: ReviewVerdict, operation: String, nanoseconds: Int64) {
        let key = RequestKey(endpoint: endpoint, kind: outcome.kind,
                             operation: operation.isEmpty ? "unknown" : operation, decision: outcome.decision)
        let cache = handleCache
        if let slot = key.slot {
            if let counter = cache.requests[slot] {
                counter.increment()
            } else {
                let counter = requestCounter(key)
                cache.requests[slot] = counter
                counter.increment()
            }
        } else {
            requestCounter(key).increment()
        }
        (endpoint == .validating ? validatingDuration : mutatingDuration).recordNanoseconds(nanoseconds)
        if outcome.decision == .errored { recordErroredAnswer(endpoint: endpoint, outcome: outcome) }
        for exemption in outcome.exemptions {
            for rule in exemption.rules { recordExemption(exemption.name, rule: rule.rawValue) }
        }
        guard !outcome.ruleIDs.isEmpty else { return }
        let validating = endpoint == .validating
        let label = validating ? "identity_guard_violations_total" : "identity_guard_mutations_total"
        let shared = validating ? violations : mutations
        let local = validating ? \HandleCache.violations : \HandleCache.mutations
        for rule in outcome.ruleIDs.map(\.rawValue) {
            if let counter = cache[keyPath: local][rule] {
                counter.increment()
                continue
            }
            let counter = counter(in: shared, key: rule) {
                CoreMetrics.Counter(label: label, dimensions: [("rule", rule)], factory: factory)
            }
            cache[keyPath: local][rule] = counter
            counter.increment()
        }
    }

    /// This thread's handles, made on its first use.
    private var handleCache: HandleCache {
        handleCaches.current(orMake: HandleCache.init)
    }

    /// The one counter of `key`, from the shared table (under its lock), made on first use.
    private func requestCounter(_ key: RequestKey) -> CoreMetrics.Counter {
        counter(in: requests, key: key) {
            CoreMetrics.Counter(label: "identity_guard_admission_requests_total", dimensions: [
                ("endpoint", key.endpoint.endpoint), ("kind", key.kind?.rawValue ?? "other"),
                ("operation", key.operation), ("decision", key.decision.rawValue),
            ], factory: factory)
        }
    }

    /// `identity_guard_exemptions_total{exemption,rule}`: an exemption changed an admission's outcome for a rule
    /// (a finding lifted on `/validate`, a mutation not applied on `/mutate`). Rare; the shared table will do.
    private func recordExemption(_ name: String, rule: String) {
        counter(in: exemptions, key: name + "\u{0}" + rule) {
            CoreMetrics.Counter(label: "identity_guard_exemptions_total",
                                dimensions: [("exemption", name), ("rule", rule)], factory: factory)
        }.increment()
    }

    /// `identity_guard_admission_errors_total{endpoint,code}`: an AdmissionReview answered with an error status
    /// (`status.code` 400: the request could not be evaluated; 500: no decision could be had, e.g. email claims
    /// failing) — what the apiserver then applies its `failurePolicy` to. Rare, so the shared table will do.
    private func recordErroredAnswer(endpoint: WebhookType, outcome: ReviewVerdict) {
        let key = RejectionKey(endpoint: endpoint, code: outcome.response.status?.code ?? 500)
        counter(in: erroredAnswers, key: key) {
            CoreMetrics.Counter(label: "identity_guard_admission_errors_total",
                                dimensions: [("endpoint", endpoint.endpoint), ("code", String(key.code))],
                                factory: factory)
        }.increment()
    }

    /// A request refused before it was an admission (400, 413, 415; 503 while shutting down).
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
