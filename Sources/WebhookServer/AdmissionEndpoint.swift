public import Admission
public import NIOCore

/// Stage 2 of the request path (docs/request-path.md): what answers `POST /validate` and `POST /mutate` once
/// the transport has read a JSON body within the limit.
///
/// Production uses ``ReviewingEndpoint`` (evaluation, one log line and metrics per request); the load
/// benchmark swaps in a canned answer to measure the server around it. Transport checks — content type, body
/// limit, routing — happen before, the same for every responder.
public protocol AdmissionEndpoint: Sendable {
    func respond(to body: ByteBuffer, webhook: WebhookType) -> EndpointReply
}
