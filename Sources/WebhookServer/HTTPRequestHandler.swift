import Admission
import NIOCore
import NIOHTTP1

/// Stage 1 of the request path (docs/request-path.md): reads HTTP requests off a connection or an HTTP/2
/// stream, routes each through ``RouteTable``, answers probes and refusals itself, collects an admission body up
/// to the limit for the ``AdmissionEndpoint``, and writes the answer on the connection's event loop.
///
/// A task hop per request would cost more than the rules themselves, so an admission that needs
/// no arbitration is read, evaluated and answered in the event loop's own turn; only an email claim the
/// apiserver arbitrates waits in a task. NIO's pipeline handlers behind it keep what the protocol needs:
/// `HTTPServerPipelineHandler` answers pipelined requests in order and closes quietly on graceful shutdown; a
/// malformed request this handler answers with 400 itself (``errorCaught(context:error:)``).
///
/// The same handler serves each HTTP/2 stream behind NIOHTTP2's `HTTP2FramePayloadToHTTP1ServerCodec`: a
/// stream carries one request, so the per-connection logic (answers per turn, the held answer) never engages
/// there; the request head's version 2.0 keeps the stream "alive" — no `connection` header (the codec would
/// drop it anyway) and no close after the answer, whose end ends the stream.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Where the request being read is.
    private enum Reading {
        case waitingForHead
        /// An admission body being collected (nil until its first part); the route table's endpoint answers it
        /// (kept out of here: this state's copies as the body came in and at its end copied the existential too).
        case admission(WebhookType, ByteBuffer?)
        /// An admission body past the limit, read to its end and dropped.
        case overLimit(WebhookType)
        /// A probe, which takes no body.
        case probe(WebhookRoute.Probe)
        /// Answered from the head alone (404, 405, 413, 415); the body is read to its end and dropped.
        case refused(HTTPAnswer)
    }

    private let routes: RouteTable
    /// Where the error that ends an HTTP/1.1 connection is counted and logged (``ConnectionErrorLogger``); nil on
    /// an HTTP/2 stream, whose connection has a logger of its own.
    private let errorLog: ConnectionEventLog?
    private var errorLogged = false
    /// The clock each request must arrive complete within (HTTP/1.1 connection or HTTP/2 stream).
    private let readTimeout: ReadTimeout?
    private var reading = Reading.waitingForHead
    private var keepAlive = true
    private var version = HTTPVersion.http1_1
    private var removed = false
    /// Whether this turn's flush is already scheduled.
    private var flushScheduled = false
    /// Answers written on this connection since its last flush.
    private var answersThisTurn = 0
    /// An answer past ``answersPerTurn``, held until the event loop has polled for I/O again.
    private var deferredAnswer: HTTPAnswer?

    /// Answers one connection writes per turn of the event loop (only pipelining clients reach it).
    static let answersPerTurn = 16
    /// How long a held answer waits: long enough that the event loop polls for I/O first.
    static let heldAnswerDelay = TimeAmount.microseconds(50)
    /// Whether an admission request is between its head and its answer (`identity_guard_inflight_requests`).
    private var admissionInFlight = false

    init(routes: RouteTable, readTimeout: ReadTimeout? = nil, errorLog: ConnectionEventLog? = nil) {
        self.routes = routes
        self.readTimeout = readTimeout
        self.errorLog = errorLog
    }

    func handlerAdded(context: ChannelHandlerContext) {
        readTimeout?.attach(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
        readTimeout?.detach()
        admissionFinished()
    }

    func channelActive(context: ChannelHandlerContext) {
        readTimeout?.channelActive(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        readTimeout?.detach()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            readTimeout?.requestHead(context)
            // Evaluated only for an HTTP/1.1 request that asks to close: HTTP/2 streams end by themselves.
            keepAlive = head.isKeepAlive || head.version.major == 2
            version = head.version
            reading = readingFor(head)
            if case .admission = reading, Self.expectsContinue(head) {
                // RFC 9110 §10.1.1: a client that sent `Expect: 100-continue` waits for this before the body
                // (curl for bodies over 1 MiB, for up to a second). Only once the head passed the checks: a
                // refusal is the final answer instead.
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(var part):
            guard case .admission(let webhook, var collected) = reading else { return }
            reading = .waitingForHead  // let `collected` be the buffer's only reference while it grows
            if (collected?.readableBytes ?? 0) + part.readableBytes > routes.checks.maxBodyBytes {
                reading = .overLimit(webhook)
            } else if collected == nil {
                reading = .admission(webhook, part)
            } else {
                collected!.writeBuffer(&part)
                reading = .admission(webhook, collected)
            }
        case .end:
            readTimeout?.requestEnd()
            let request = reading
            reading = .waitingForHead
            answer(request, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            // A malformed request is answered 400 here, as NIO's `HTTPServerProtocolErrorHandler` would, without
            // that handler's pass and type check of every answer part on its way out: it tracked the parts to
            // know whether an answer had begun, and this handler writes an answer's head, body and end in one go
            // (`HTTPServerPipelineHandler` holds a parser error back until the answer in flight has ended), so
            // none has when an error arrives.
            let head = HTTPResponseHead(version: .http1_1, status: .badRequest,
                                        headers: HTTPHeaders([("Connection", "close"), ("Content-Length", "0")]))
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        // Logged once here rather than by a handler of its own in front, which saw every request part on the way.
        if let errorLog, !errorLogged {
            errorLogged = true
            ConnectionErrorLogger.record(error, on: context.channel, in: errorLog)
        }
        // A connection in error cannot carry another request.
        context.close(promise: nil)
    }

    /// An HTTP/1.1 request that waits for `100 Continue` before sending its body.
    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        guard head.version == .http1_1, let expect = head.headers.first(name: "expect") else { return false }
        return expect.lowercased() == "100-continue"
    }

    private func readingFor(_ head: HTTPRequestHead) -> Reading {
        switch routes.route(method: head.method.rawValue, uri: head.uri) {
        case .answered(let answer):
            return .refused(answer)
        case .admission(let webhook):
            admissionInFlight = true
            routes.metrics.requestStarted()
            if let refusal = routes.checks.checkHead(contentType: head.headers.first(name: "content-type"),
                                                        contentLength: head.headers.first(name: "content-length"),
                                                        endpoint: webhook)
            {
                return .refused(refusal)
            }
            return .admission(webhook, nil)
        case .probe(let probe):
            return .probe(probe)
        }
    }

    private func answer(_ request: Reading, context: ChannelHandlerContext) {
        switch request {
        case .waitingForHead:
            return
        case .refused(let answer):
            write(answer, context: context)
        case .probe(let probe):
            write(routes.answer(probe), context: context)
        case .overLimit(let webhook):
            write(routes.checks.bodyTooLarge(endpoint: webhook), context: context)
        case .admission(let webhook, let body):
            guard let endpoint = routes.endpoint else {  // never nil here: the route table routes no admission then
                write(.refusal(500, "no endpoint to answer the admission"), context: context)
                return
            }
            switch endpoint.respond(to: body ?? ByteBuffer(), webhook: webhook) {
            case .ready(let answer):
                write(answer, context: context)
            case .pending(let work):
                // HTTPServerPipelineHandler holds back the connection's next request until this answer is out.
                let promise = context.eventLoop.makePromise(of: HTTPAnswer.self)
                promise.completeWithTask(work)
                let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
                promise.futureResult.whenSuccess { answer in
                    bound.value.handler.write(answer, context: bound.value.context)
                }
            }
        }
    }

    private func admissionFinished() {
        if admissionInFlight {
            admissionInFlight = false
            routes.metrics.requestFinished()
        }
    }

    private func write(_ answer: HTTPAnswer, context: ChannelHandlerContext) {
        admissionFinished()
        guard !removed else { return }
        guard answersThisTurn < Self.answersPerTurn else {
            // HTTPServerPipelineHandler hands over no further request until this answer's end is written, so
            // holding it holds the connection; the flush releases it after the event loop's next I/O.
            deferredAnswer = answer
            return
        }
        answersThisTurn += 1
        send(answer, context: context)
        scheduleFlush(context)
    }

    /// Flushes once the event loop has handled every connection that was ready in this turn (its tasks run
    /// after its I/O), not per answer: answers written back to back cost the client one wake-up between them,
    /// not one each (README, "Performance"). One flush per connection and turn, however many pipelined answers
    /// it wrote, and one task per turn for all of the thread's connections (``TurnFlushQueue``); a held answer
    /// goes out after the next I/O, so a client pipelining hundreds of requests gets ``answersPerTurn`` of them
    /// answered per turn and everyone else's requests are read in between.
    private func scheduleFlush(_ context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        TurnFlushQueue.endOfTurn(self, context: context)
    }

    /// The event loop's turn is over (``TurnFlushQueue``): this turn's answers leave, and a held answer is
    /// written after the loop has polled for I/O again.
    func turnEnded(context: ChannelHandlerContext) {
        flushScheduled = false
        answersThisTurn = 0
        context.channel.flush()
        guard deferredAnswer != nil else { return }
        // Not a task: the event loop runs the tasks added while it runs tasks before it polls again.
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.heldAnswerDelay) { [self] in
            guard let answer = deferredAnswer else { return }
            deferredAnswer = nil
            write(answer, context: context)
        }
    }

    /// Writes one answer (head, body, end) without flushing.
    private func send(_ answer: HTTPAnswer, context: ChannelHandlerContext) {
        // Handed over as one array: `HTTPHeaders.add` checked each of these constant names for non-ASCII bytes a
        // byte at a time (a thousand instructions per answer).
        var fields: [(String, String)] = []
        fields.reserveCapacity(5)
        fields.append(("content-type", answer.contentType))
        fields.append(("content-length", String(answer.body.readableBytes)))
        fields.append(("date", HTTPDateHeader.now))
        if let allow = answer.allow { fields.append(("allow", allow)) }
        if !keepAlive {
            fields.append(("connection", "close"))
        } else if version.major == 1 && version.minor == 0 {
            fields.append(("connection", "keep-alive"))
        }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: answer.status),
                                    headers: HTTPHeaders(fields))
        let channel = context.channel
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(answer.body))), promise: nil)
        if keepAlive {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.write(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
