public import Admission
public import Hummingbird

/// What answers `POST /validate` and `POST /mutate`: one method, Hummingbird's `HTTPResponder` seam.
///
/// Production uses the admission transport built from an ``AdmissionHandler`` (content type, body limit,
/// logs, metrics); the load benchmark swaps in a canned answer to measure the server around it.
public protocol AdmissionResponder: Sendable {
    func respond(to request: Request, webhook: WebhookType) async -> Response
}
