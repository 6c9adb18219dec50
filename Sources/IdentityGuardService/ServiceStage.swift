/// The parts of `serve` in the order they start; shutdown runs them in reverse, one at a time, each only
/// after the one before it has returned (swift-service-lifecycle's `ServiceGroup`).
///
/// The order is the contract a rolling update relies on. On SIGTERM:
/// 1. ``drain``: `/readyz` turns 503 at once, and the webhook keeps serving for the shutdown delay, because
///    endpoints and the apiserver's connection pool follow readiness only after a while;
/// 2. ``webhook``: the port stops accepting, answers every request it has already read — their email claims
///    still reach the apiserver — and closes idle keep-alive connections;
/// 3. ``audit``, ``emailClaims``, ``usersCache``: the cluster components stop, none of them
///    needed by a request any more;
/// 4. ``apiserverClient``: the shared client closes, after the last component that calls the apiserver;
/// 5. ``certificates``, then ``probes``: the probes and metrics port answers until the very end.
public enum ServiceStage: String, Sendable, CaseIterable {
    case probes
    case certificates
    case apiserverClient = "apiserver-client"
    case usersCache = "users-cache"
    case emailClaims = "email-claims"
    case audit
    case webhook
    case drain
}
