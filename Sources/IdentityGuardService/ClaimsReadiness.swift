import ClusterCache
import CoreMetrics
import Logging
import ServiceLifecycle
import WebhookServer

/// Keeps `/readyz` honest about the email claims: the replica is not ready until it can create Leases in its
/// claims namespace, and stops being ready when it durably cannot.
///
/// With Lease claims every new email needs a Lease; a missing namespace or a Role without `create` on
/// `leases` makes every such admission fail closed, so the replica must not take traffic — and the operator
/// must read why in the probe (`email-claims (claims namespace "identity-guard" not found)`), the log (one line
/// per change) and `identity_guard_email_claims_ready`. The check repeats: quickly until the first success (a
/// namespace created after start turns the replica ready within seconds), then every ``interval``; once ready,
/// only ``failuresToUnready`` failed checks in a row turn it unready, so one slow call does not flap it.
final class ClaimsReadiness: Service, Sendable {
    static let condition = "email-claims"

    let interval: Duration
    let failuresToUnready: Int
    private let probe: LeaseAccessProbe
    private let readiness: ReadinessState
    private let gauge: Gauge
    private let logger: Logger

    init(probe: LeaseAccessProbe, readiness: ReadinessState, factory: any MetricsFactory, logger: Logger,
         interval: Duration = .seconds(10), failuresToUnready: Int = 3)
    {
        self.probe = probe
        self.readiness = readiness
        self.interval = interval
        self.failuresToUnready = failuresToUnready
        self.logger = logger
        gauge = Gauge(label: "identity_guard_email_claims_ready", factory: factory)
        readiness.set(Self.condition, ready: false, reason: "not checked yet")
        gauge.record(0)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            var hysteresis = Hysteresis(failuresToUnready: failuresToUnready)
            var retry = Duration.milliseconds(500)
            while !Task.isCancelled {
                switch hysteresis.record(await probe.check()) {
                case .becameReady:
                    readiness.set(Self.condition, ready: true)
                    gauge.record(1)
                    logger.info("email claims ready: leases can be created",
                                metadata: ["namespace": "\(probe.namespace)"])
                case .unready(let reason, let isNews):
                    readiness.set(Self.condition, ready: false, reason: reason)
                    gauge.record(0)
                    if isNews {
                        logger.error("email claims not possible; not ready",
                                     metadata: ["namespace": "\(probe.namespace)", "reason": "\(reason)"])
                    }
                case .unchanged:
                    break
                }
                // Until the first success, retry quickly (0.5 s doubling up to the interval).
                let wait = hysteresis.isReady ? interval : retry
                retry = min(retry * 2, interval)
                try? await Task.sleep(for: wait)
            }
        }
    }

    /// The decision, apart from the calls and the clock: ready after one success; once ready, unready only
    /// after `failuresToUnready` failures in a row; a reason is news when it was not the last one logged.
    struct Hysteresis {
        enum Change: Equatable {
            case becameReady
            case unready(reason: String, isNews: Bool)
            case unchanged
        }

        let failuresToUnready: Int
        private(set) var isReady = false
        private var failures = 0
        private var lastReason: String?

        init(failuresToUnready: Int) {
            self.failuresToUnready = failuresToUnready
        }

        mutating func record(_ verdict: LeaseAccessProbe.Verdict) -> Change {
            switch verdict {
            case .writable:
                failures = 0
                lastReason = nil
                guard !isReady else { return .unchanged }
                isReady = true
                return .becameReady
            case .notWritable(let reason):
                failures += 1
                guard !isReady || failures >= failuresToUnready else { return .unchanged }
                isReady = false
                let isNews = reason != lastReason
                lastReason = reason
                return .unready(reason: reason, isNews: isNews)
            }
        }
    }
}
