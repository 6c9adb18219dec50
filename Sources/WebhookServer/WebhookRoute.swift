import Admission
import NIOCore

/// The paths a port serves and the method each takes; one table for both transports, so that HTTP/1.1 (the
/// lean responder) and HTTP/2 or the metrics port (Hummingbird) answer a path the same way.
enum WebhookRoute: Equatable, Sendable {
    case admission(WebhookType)
    case healthz
    case readyz
    case metrics

    /// The route for `uri` (a query string is ignored), or nil for a path this server does not serve.
    init?(uri: String, admission: Bool) {
        var path = Substring(uri)
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<query] }
        switch path {
        case "/validate" where admission: self = .admission(.validating)
        case "/mutate" where admission: self = .admission(.mutating)
        case "/healthz": self = .healthz
        case "/readyz": self = .readyz
        case "/metrics": self = .metrics
        default: return nil
        }
    }

    /// The one method the route answers.
    var method: String {
        if case .admission = self { return "POST" }
        return "GET"
    }
}

/// What one port answers: the probes and metrics everywhere, admission on the TLS port only.
struct WebhookEndpoints: Sendable {
    /// Answers `/validate` and `/mutate`; nil on the plain-HTTP metrics port.
    let responder: (any AdmissionResponder)?
    let intake: AdmissionIntake
    let readiness: ReadinessState
    let metrics: AdmissionMetrics

    /// Where a request head leads.
    enum Resolution {
        case route(WebhookRoute)
        /// No route: the answer the request gets without one.
        case answered(HTTPAnswer)
    }

    /// The route of a request head, or the answer it gets without one: 404 for an unknown path, 405 (with
    /// `Allow`) for a known path asked with another method.
    func route(method: String, uri: String) -> Resolution {
        guard let route = WebhookRoute(uri: uri, admission: responder != nil) else {
            return .answered(.text(404, "404 page not found\n"))
        }
        guard method == route.method else {
            var answer = HTTPAnswer.text(405, "method \(method) not allowed; use \(route.method)\n")
            answer.allow = route.method
            return .answered(answer)
        }
        return .route(route)
    }

    /// `/healthz`, `/readyz` and `/metrics` (the admission routes go through ``intake`` and ``responder``).
    func probe(_ route: WebhookRoute) -> HTTPAnswer {
        switch route {
        case .readyz:
            let unmet = readiness.unmet
            return unmet.isEmpty ? .text(200, "ok\n") : .text(503, "not ready: \(unmet.joined(separator: ", "))\n")
        case .metrics:
            return HTTPAnswer(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                              body: ByteBuffer(bytes: metrics.render()))
        case .healthz, .admission:
            return .text(200, "ok\n")
        }
    }
}
