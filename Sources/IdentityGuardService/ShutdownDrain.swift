import Logging
import ServiceLifecycle
import WebhookServer

/// The first step of a graceful shutdown: readiness turns 503, and the webhook keeps serving for a delay
/// before anything stops.
///
/// Kubernetes removes a terminating pod from its Service's endpoints while the pod is still running, and the
/// apiserver keeps reusing its pooled connections to the old address for a while; a webhook that stopped
/// accepting at once would refuse requests that were already on their way (the preStop-sleep convention).
/// Placed last among the services, so shutdown reaches it first.
final class ShutdownDrain: Service, Sendable {
    /// The readiness condition this step turns off.
    static let condition = "shutting-down"

    let delay: Duration
    private let readiness: ReadinessState
    private let logger: Logger

    init(delay: Duration, readiness: ReadinessState, logger: Logger) {
        self.delay = delay
        self.readiness = readiness
        self.logger = logger
    }

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the group is going down at once, there is nothing to drain
        }
        readiness.set(Self.condition, ready: false)
        logger.info("shutting down: not ready; still serving until the delay is over",
                    metadata: ["delay": "\(delay)"])
        try? await Task.sleep(for: delay)
        logger.info("shutting down: closing the webhook port")
    }
}
