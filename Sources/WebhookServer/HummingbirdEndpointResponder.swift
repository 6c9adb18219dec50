import Admission
import Hummingbird
import HTTPTypes
import NIOCore

/// ``WebhookEndpoints`` as a Hummingbird responder: what serves the metrics port (plain HTTP) and the webhook
/// port when HTTP/2 is on, so those answer exactly like the lean HTTP/1.1 responder.
struct HummingbirdEndpointResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let endpoints: WebhookEndpoints

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let webhook: WebhookType
        let responder: any AdmissionResponder
        switch endpoints.route(method: request.method.rawValue, uri: request.uri.description) {
        case .answered(let answer): return Self.response(answer)
        case .probe(let probe): return Self.response(endpoints.answer(probe))
        case .admission(let found, let foundResponder): (webhook, responder) = (found, foundResponder)
        }
        let intake = endpoints.intake
        endpoints.metrics.requestStarted()
        defer { endpoints.metrics.requestFinished() }
        if let refusal = intake.checkHead(contentType: request.headers[.contentType],
                                          contentLength: request.headers[.contentLength], endpoint: webhook)
        {
            return Self.response(refusal)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: intake.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            // `collect(upTo:)` throws NIOCore's error when a body without Content-Length grows past the limit.
            return Self.response(intake.bodyTooLarge(endpoint: webhook))
        } catch {
            return Self.response(intake.refuse(400, "could not read the request body: \(error)", endpoint: webhook))
        }
        switch responder.respond(to: body, webhook: webhook) {
        case .ready(let answer): return Self.response(answer)
        case .pending(let work): return Self.response(await work())
        }
    }

    static func response(_ answer: HTTPAnswer) -> Response {
        var headers: HTTPFields = [.contentType: answer.contentType]
        if let allow = answer.allow { headers[.allow] = allow }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers,
                        body: .init(byteBuffer: answer.body))
    }
}
