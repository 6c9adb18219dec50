import Logging
import NIOCore

/// Closes a connection whose request does not arrive complete within the read timeout: slow or half-open
/// clients must not hold a connection (and an in-flight slot) forever. Idle keep-alive connections are the
/// idle timeout's. The clock starts when the connection opens (TLS handshake and first request), then at each
/// request's first byte (told by a ``RequestStartWatcher`` before the decoder) or, without one, its head.
///
/// On an HTTP/2 stream it closes the stream (`RST_STREAM`) whose request does not arrive complete within the
/// read timeout of its `HEADERS`: the stream, not the connection, is what holds the request.
///
/// Not a handler of its own: the responder (``HTTPRequestHandler``), which sees each request's head and end
/// anyway, tells it — a handler in front of the responder cost every request part a pass and a type check.
final class ReadTimeout {
    private let timeout: TimeAmount
    private let log: ConnectionEventLog
    /// When the request being read must be complete; nil between requests.
    private var requestDeadline: NIODeadline?
    /// The one timer of the connection. It is not cancelled when a request completes — a timer per request
    /// costs an allocation and two heap operations — but checks the deadline when it fires and re-arms for the
    /// request in progress, if any.
    private var timer: Scheduled<Void>?

    /// When the first request must be complete if the handler joins a connection already open (after ALPN):
    /// the connection's own deadline, so negotiating a protocol does not extend it.
    private let firstRequestBy: NIODeadline?

    /// Whether the channel is an HTTP/2 stream, for the log line.
    private let isStream: Bool

    init(timeout: TimeAmount, log: ConnectionEventLog, firstRequestBy: NIODeadline? = nil, isStream: Bool = false) {
        self.timeout = timeout
        self.log = log
        self.firstRequestBy = firstRequestBy
        self.isStream = isStream
    }

    /// The responder's context, for ``requestBytesArrived()`` and the timer.
    private var context: ChannelHandlerContext?

    /// The responder joined the pipeline: the clock starts (or, after ALPN, goes on) if the connection is open.
    func attach(_ context: ChannelHandlerContext) {
        self.context = context
        if let firstRequestBy {
            requestDeadline = firstRequestBy
            schedule(at: firstRequestBy, context)
        } else if context.channel.isActive {
            begin(context)
        }
    }

    /// Request bytes arrived before the HTTP decoder (``RequestStartWatcher``): the first of a request starts
    /// its clock — a half-sent head produces no `.head` part to start it.
    func requestBytesArrived() {
        if requestDeadline == nil, let context { begin(context) }
    }

    /// The connection opened after the responder joined its pipeline.
    func channelActive(_ context: ChannelHandlerContext) {
        begin(context)
    }

    /// A request's head arrived: its clock starts unless its first bytes started it.
    func requestHead(_ context: ChannelHandlerContext) {
        if requestDeadline == nil { begin(context) }
    }

    /// The request arrived complete.
    func requestEnd() {
        requestDeadline = nil
    }

    /// The responder left the pipeline, or the connection closed.
    func detach() {
        stop()
        context = nil
    }

    /// A request (or, at connect, the TLS handshake and the first request) starts now.
    private func begin(_ context: ChannelHandlerContext) {
        let deadline = NIODeadline.now() + timeout
        requestDeadline = deadline
        if timer == nil { schedule(at: deadline, context) }
    }

    private func schedule(at deadline: NIODeadline, _ context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let requestDeadline else { return }
            if requestDeadline <= .now() {
                expire(context.channel)
            } else {
                schedule(at: requestDeadline, context)
            }
        }
    }

    private func expire(_ channel: any Channel) {
        log.count(.readTimeout)
        let timeout = timeout
        let message: Logger.Message = isStream
            ? "resetting stream: request not complete within the read timeout"
            : "closing connection: request not complete within the read timeout"
        log.log(.warning, message) {
            ["remote": "\(channel.remoteAddress?.description ?? "?")",
             "timeout_ms": "\(timeout.nanoseconds / 1_000_000)"]
        }
        channel.close(promise: nil)
    }

    private func stop() {
        timer?.cancel()
        timer = nil
        requestDeadline = nil
    }
}

/// Sits between TLS and the HTTP decoder and tells the responder's ``ReadTimeout`` behind the decoder when bytes
/// arrive, so the read timeout counts from a request's first byte even when its head never completes.
///
/// Both handlers are in one pipeline, so they run on the same event loop and the reference is only used there.
/// One case stays with the idle timeout: a client that pipelines the start of a request in the same read as
/// the end of the previous one, then stalls.
final class RequestStartWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let readTimeout: ReadTimeout

    init(readTimeout: ReadTimeout) {
        self.readTimeout = readTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readTimeout.requestBytesArrived()
        context.fireChannelRead(data)
    }
}
