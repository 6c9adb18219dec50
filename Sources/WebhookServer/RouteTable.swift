import Admission
import NIOCore

/// The paths a port serves and the method each takes; one table for every port and protocol, so that the
/// webhook port (HTTP/1.1 and HTTP/2) and the metrics port answer a path the same way.
enum WebhookRoute: Equatable, Sendable {
    case admission(WebhookType)
    case probe(Probe)

    /// The read-only endpoints every port serves.
    enum Probe: Equatable, Sendable {
        case healthz
        case readyz
        case metrics
    }

    /// The route for `uri` (a query string is ignored), or nil for a path this server does not serve.
    ///
    /// Compared as UTF-8 bytes in place: every request head is routed, and finding the `?` among `Character`s
    /// (grapheme breaking) cost more than the rest of the routing, as did comparing the bytes one at a time
    /// through two generic `UTF8View`s (a thousand instructions per request).
    init?(uri: String) {
        let route = uri.utf8.withContiguousStorageIfAvailable(Self.route(uri:))
            ?? Array(uri.utf8).withUnsafeBufferPointer(Self.route(uri:))
        guard let route else { return nil }
        self = route
    }

    private static func route(uri: UnsafeBufferPointer<UInt8>) -> WebhookRoute? {
        let end = uri.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? uri.endIndex
        let path = UnsafeBufferPointer(rebasing: uri[..<end])
        return paths.first(where: { $0.path.elementsEqual(path) })?.route
    }

    private static let paths: [(path: [UInt8], route: WebhookRoute)] = [
        (Array("/validate".utf8), .admission(.validating)), (Array("/mutate".utf8), .admission(.mutating)),
        (Array("/healthz".utf8), .probe(.healthz)), (Array("/readyz".utf8), .probe(.readyz)),
        (Array("/metrics".utf8), .probe(.metrics)),
    ]

    /// The one method the route answers.
    var method: String {
        if case .admission = self { return "POST" }
        return "GET"
    }
}

/// What one port answers: the probes and metrics everywhere, admission on the TLS port only.
struct RouteTable: Sendable {
    /// Answers `/validate` and `/mutate`; nil on the plain-HTTP metrics port.
    let endpoint: (any AdmissionEndpoint)?
    let checks: RequestChecks
    let readiness: ReadinessState
    let metrics: AdmissionMetrics

    /// Where a request head leads.
    enum Target {
        /// `/validate` or `/mutate`, which ``endpoint`` answers (never nil when a request is routed here).
        case admission(WebhookType)
        case probe(WebhookRoute.Probe)
        /// No route: the answer the request gets without one.
        case answered(HTTPAnswer)
    }

    /// The route of a request head, or the answer it gets without one: 404 for a path this port does not
    /// serve (admission on the metrics port included), 405 (with `Allow`) for a known path asked with another
    /// method.
    func route(method: String, uri: String) -> Target {
        guard let route = WebhookRoute(uri: uri) else { return .answered(Self.notFound) }
        switch route {
        case .admission(let webhook):
            guard endpoint != nil else { return .answered(Self.notFound) }
            return method == route.method ? .admission(webhook) : .answered(Self.wrongMethod(method, route))
        case .probe(let probe):
            return method == route.method ? .probe(probe) : .answered(Self.wrongMethod(method, route))
        }
    }

    private static let notFound = HTTPAnswer.text(404, "404 page not found\n")

    private static func wrongMethod(_ method: String, _ route: WebhookRoute) -> HTTPAnswer {
        var answer = HTTPAnswer.text(405, "method \(method) not allowed; use \(route.method)\n")
        answer.allow = route.method
        return answer
    }

    /// `/healthz`, `/readyz` and `/metrics`.
    func answer(_ probe: WebhookRoute.Probe) -> HTTPAnswer {
        switch probe {
        case .readyz:
            let unmet = readiness.unmetDescriptions
            return unmet.isEmpty ? .text(200, "ok\n") : .text(503, "not ready: \(unmet.joined(separator: ", "))\n")
        case .metrics:
            return HTTPAnswer(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                              body: ByteBuffer(bytes: metrics.render()))
        case .healthz:
            return .text(200, "ok\n")
        }
    }
}
