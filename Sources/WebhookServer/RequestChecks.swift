import Admission
import KubeJSON
import Logging
import NIOCore

/// The transport's checks before a body reaches the ``AdmissionEndpoint`` — JSON content type, the body
/// limit — and the one-line 4xx, counted and logged, for a request that fails them or cannot be decoded
/// (controller-runtime's `webhook.Admission.ServeHTTP`).
///
/// A refusal reads the same over HTTP/1.1 and HTTP/2: 415 for a content type other than JSON, 413 over the
/// body limit, 400 for a body that is no AdmissionReview.
struct RequestChecks: Sendable {
    let metrics: AdmissionMetrics
    let logger: Logger
    let maxBodyBytes: Int

    /// The refusal a request earns from its head alone (content type, declared length), or nil to read on.
    func checkHead(contentType: String?, contentLength: String?, endpoint: WebhookType) -> HTTPAnswer? {
        let contentType = contentType ?? ""
        guard Self.isJSON(contentType) else {
            let shown = contentType.isEmpty ? "none" : GoQuote.quote(contentType)
            return refuse(415, "Content-Type must be application/json (got \(shown))", endpoint: endpoint)
        }
        if let length = contentLength.flatMap({ Int($0) }), length > maxBodyBytes {
            return refuse(413, "request body of \(length) bytes is over the limit of \(maxBodyBytes) bytes",
                          endpoint: endpoint)
        }
        return nil
    }

    /// A body without a declared length that grew past the limit.
    func bodyTooLarge(endpoint: WebhookType) -> HTTPAnswer {
        refuse(413, "request body is over the limit of \(maxBodyBytes) bytes", endpoint: endpoint)
    }

    /// The one-line answer to a request that is not an answerable admission, counted and logged.
    func refuse(_ code: Int, _ reason: String, endpoint: WebhookType) -> HTTPAnswer {
        metrics.recordRejection(endpoint: endpoint, code: code)
        logger.warning("rejected admission request", metadata: [
            "endpoint": "\(endpoint.endpoint)", "status": "\(code)", "reason": "\(reason)",
        ])
        return .refusal(code, reason)
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`), any letter case.
    static func isJSON(_ contentType: String) -> Bool {
        if contentType == "application/json" { return true }  // what the apiserver sends
        var mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        while mediaType.first == " " || mediaType.first == "\t" { mediaType.removeFirst() }
        while mediaType.last == " " || mediaType.last == "\t" { mediaType.removeLast() }
        return mediaType.lowercased() == "application/json"
    }
}
