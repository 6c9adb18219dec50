import Admission
import Hummingbird
import HTTPTypes
import IdentityRules
import Logging
import NIOCore
import KubeJSON

/// `POST /validate` and `POST /mutate`: the transport around ``AdmissionHandler`` (controller-runtime's
/// `webhook.Admission.ServeHTTP`): content type, body limit, one log line and metrics per request.
///
/// A body the handler cannot answer becomes a one-line 4xx: 415 for a content type other than JSON, 413 over
/// the body limit, 400 otherwise. Nothing here throws to Hummingbird, so no request can crash or stall it.
struct AdmissionEndpoint: AdmissionResponder {
    let handler: AdmissionHandler
    let metrics: AdmissionMetrics
    let logger: Logger
    let maxBodyBytes: Int

    func respond(to request: Request, webhook endpoint: WebhookType) async -> Response {
        let start = ContinuousClock.now
        metrics.requestStarted()
        defer { metrics.requestFinished() }
        let contentType = request.headers[.contentType] ?? ""
        guard Self.isJSON(contentType) else {
            let shown = contentType.isEmpty ? "none" : GoQuote.quote(contentType)
            return reject(415, "Content-Type must be application/json (got \(shown))", endpoint: endpoint)
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            return reject(413, "request body of \(length) bytes is over the limit of \(maxBodyBytes) bytes",
                          endpoint: endpoint)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            // `collect(upTo:)` throws NIOCore's error, not an HTTPError, when a body without Content-Length grows
            // past the limit.
            return reject(413, "request body is over the limit of \(maxBodyBytes) bytes", endpoint: endpoint)
        } catch {
            return reject(400, "could not read the request body: \(error)", endpoint: endpoint)
        }
        var answer: AdmissionHandler.Answer
        do {
            answer = try handler.handle(body: body.readableBytesView, as: endpoint)
        } catch {
            return reject(400, error.reason, endpoint: endpoint)
        }
        if handler.needsArbitration(answer) { answer = await handler.arbitrate(answer) }
        let elapsed = start.duration(to: .now)
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        metrics.recordAdmission(endpoint: endpoint, outcome: answer.outcome, operation: answer.request.operationName,
                                nanoseconds: nanoseconds)
        log(answer, endpoint: endpoint, nanoseconds: nanoseconds)
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`), any letter case.
    static func isJSON(_ contentType: String) -> Bool {
        if contentType == "application/json" { return true }  // what the apiserver sends
        var mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        while mediaType.first == " " || mediaType.first == "\t" { mediaType.removeFirst() }
        while mediaType.last == " " || mediaType.last == "\t" { mediaType.removeLast() }
        return mediaType.lowercased() == "application/json"
    }

    private func reject(_ code: Int, _ reason: String, endpoint: WebhookType) -> Response {
        metrics.recordRejection(endpoint: endpoint, code: code)
        logger.warning("rejected admission request", metadata: [
            "endpoint": "\(endpoint.endpoint)", "status": "\(code)", "reason": "\(reason)",
        ])
        return Response(status: HTTPResponse.Status(code: code), headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: reason + "\n")))
    }

    private func log(_ answer: AdmissionHandler.Answer, endpoint: WebhookType, nanoseconds: Int64) {
        guard logger.logLevel <= .info else { return }
        let outcome = answer.outcome
        var metadata: Logger.Metadata = [
            "uid": "\(answer.request.uid)",
            "endpoint": "\(endpoint.endpoint)",
            "kind": "\(outcome.kind?.rawValue ?? answer.request.kind.kind)",
            "name": "\(outcome.name)",
            "operation": "\(answer.request.operationName)",
            "decision": "\(outcome.decision.rawValue)",
            "duration_us": "\(nanoseconds / 1000)",
        ]
        if !outcome.ruleIDs.isEmpty { metadata["rules"] = .array(outcome.ruleIDs.map { .string($0.rawValue) }) }
        if outcome.dryRun { metadata["dry_run"] = "true" }
        logger.info("admission", metadata: metadata)
    }
}
