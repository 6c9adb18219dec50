public import Admission
public import NIOCore

/// What answers `POST /validate` and `POST /mutate` once the transport has read a JSON body within the limit.
///
/// Production uses ``AdmissionEndpoint`` (evaluation, one log line and metrics per request); the load
/// benchmark swaps in a canned answer to measure the server around it. Transport checks — content type, body
/// limit, routing — happen before, the same for every responder.
public protocol AdmissionResponder: Sendable {
    func respond(to body: ByteBuffer, webhook: WebhookType) -> AdmissionReply
}
