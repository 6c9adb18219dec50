public import NIOCore

/// One HTTP answer, as ``HTTPRequestHandler`` writes it on every port and protocol (HTTP/1.1, each HTTP/2
/// stream): a status, a content type and a body, so the endpoints are written apart from the transport.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var contentType: String
    public var body: ByteBuffer
    /// The `Allow` header of a 405.
    public var allow: String?

    public init(status: Int, contentType: String, body: ByteBuffer) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// `200 OK` with an AdmissionReview.
    public static func json(_ body: ByteBuffer) -> HTTPAnswer {
        HTTPAnswer(status: 200, contentType: "application/json", body: body)
    }

    /// A line of plain text (a probe's answer).
    static func text(_ status: Int, _ line: String) -> HTTPAnswer {
        HTTPAnswer(status: status, contentType: "text/plain", body: ByteBuffer(string: line))
    }

    /// A refused request: its reason on one line, as controller-runtime's webhook writes it.
    static func refusal(_ status: Int, _ reason: String) -> HTTPAnswer {
        HTTPAnswer(status: status, contentType: "text/plain; charset=utf-8", body: ByteBuffer(string: reason + "\n"))
    }
}

/// What an ``AdmissionEndpoint`` gives back: the answer at once (the fast path, written on the connection's
/// event loop without a task hop), or work to await first — an email claim the apiserver arbitrates.
public enum EndpointReply: Sendable {
    case ready(HTTPAnswer)
    case pending(@Sendable () async -> HTTPAnswer)
}
