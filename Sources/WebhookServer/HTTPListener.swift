import NIOCore
import NIOExtras
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle

/// One port served by SwiftNIO: the webhook port over TLS (HTTP/1.1 — what the kube-apiserver speaks to
/// webhooks — and, when offered, HTTP/2 through ALPN) and the plain-HTTP metrics port. A service that binds,
/// hands each request to an ``HTTPRequestHandler``, and on graceful shutdown stops accepting and lets each
/// connection finish what it is answering (NIO's `ServerQuiescingHelper`).
///
/// Every port gets the same safeguards, because each is reachable by whatever can reach the pod. Per
/// connection: the connection cap (a slot taken at accept, before the TLS handshake, so a refused connection
/// costs no handshake; given back at close), then in pipeline order back-pressure (NIO's `BackPressureHandler`: a client that sends requests but does not
/// read the answers is not read further once 64 KiB of them wait, so it can neither grow the server's memory
/// nor take its CPU from other clients), TLS (the context's callback serves the reloaded certificate), then
/// the protocol:
///
/// - HTTP/1.1: the idle timeout, the write coalescer (an answer's head and body in one TLS record), the read
///   timeout's byte watcher, NIO's HTTP/1.1 server pipeline with pipelining assistance and protocol-error
///   answers, and the responder, which also keeps the read timeout (``ReadTimeout``) and logs the error
///   that ends its connection.
/// - HTTP/2 (``HTTP2Safeguards``): NIOHTTP2's connection handler with its stream cap and flood limits, and
///   per stream NIOHTTP2's HTTP/1 codec and the same responder with the stream's read timeout, so one handler
///   serves both protocols; the connection management handler sends GOAWAY on graceful shutdown; the
///   connection error log, the idle timeout, and a handler that closes the connection on any error.
///
/// Whether a TLS connection speaks HTTP/2 is known only after the handshake (ALPN), so with HTTP/2 offered a
/// ``ProtocolNegotiationGuard`` holds the connection's read timeout until the protocol's own handlers take
/// over. Without HTTP/2 the HTTP/1.1 pipeline is built at accept, as it always was.
struct HTTPListener: Service {
    let host: String
    let port: Int
    /// Event loop threads.
    let threads: Int
    /// The server's TLS context; nil serves plain HTTP (the metrics port).
    let tls: NIOSSLContext?
    /// Whether HTTP/2 is offered through ALPN (the TLS context must offer `h2`).
    let http2: Bool
    let routes: RouteTable
    let connectionLimit: ConnectionLimit
    let connectionLog: ConnectionEventLog
    let idleTimeout: TimeAmount
    let readTimeout: TimeAmount
    let onListening: @Sendable (Int) async -> Void

    /// The kernel's send buffer per connection, fixed rather than auto-tuned (up to 4 MiB on Linux): answers
    /// are small, and a client that never reads must not make the kernel hold megabytes of them — each one
    /// evaluated first — before back-pressure stops reading its requests.
    static let sendBufferBytes = 64 * 1024

    /// Connections the kernel may hold complete but not yet accepted (capped by `net.core.somaxconn`): a burst of
    /// connections — clients reconnecting together, or a flood — must not overflow the queue, or new clients'
    /// SYNs are dropped and they wait a second or more to connect.
    static let backlog: Int32 = 4_096

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            try await serve(on: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    private func serve(on group: MultiThreadedEventLoopGroup) async throws {
        let quiesce = ServerQuiescingHelper(group: group)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: Self.backlog)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.so_sndbuf), value: Self.sendBufferBytes)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try configure(channel) }
            }
            .bind(host: host, port: port)
            .get()
        await onListening(channel.localAddress?.port ?? 0)
        let closed = channel.closeFuture
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await closed.get()
            } onGracefulShutdown: {
                quiesce.initiateShutdown(promise: nil)
            }
        } onCancel: {
            channel.close(promise: nil)
        }
        // The server channel is closed; wait for the connections still answering a request.
        let drained = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: drained)
        try await drained.futureResult.get()
    }

    private func configure(_ channel: any Channel) throws {
        guard connectionLimit.hold(channel) else { return }
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(BackPressureHandler())
        if let tls {
            try pipeline.addHandler(NIOSSLServerHandler(context: tls))
        }
        guard http2 else {
            try configureHTTP1(pipeline, firstRequestBy: nil)
            return
        }
        let negotiation = ProtocolNegotiationGuard(deadline: .now() + readTimeout, log: connectionLog)
        try pipeline.addHandler(negotiation)
        try pipeline.addHandler(ApplicationProtocolNegotiationHandler { result, channel in
            channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                if case .negotiated("h2") = result {
                    try configureHTTP2(pipeline, negotiation: negotiation, on: channel.eventLoop)
                } else {
                    pipeline.removeHandler(negotiation, promise: nil)
                    try configureHTTP1(pipeline, firstRequestBy: negotiation.deadline)
                }
            }
        })
    }

    /// The HTTP/1.1 connection behind TLS (or plain on the metrics port); `firstRequestBy` is the connection's
    /// read deadline when the handlers join after ALPN.
    private func configureHTTP1(_ pipeline: ChannelPipeline.SynchronousOperations,
                                firstRequestBy: NIODeadline?) throws
    {
        let readTimeout = ReadTimeout(timeout: readTimeout, log: connectionLog, firstRequestBy: firstRequestBy)
        // Next to TLS the idle timeout sees a request's bytes as one read and its answer as one write, not as
        // three HTTP parts each way.
        try pipeline.addHandler(IdleTimeoutHandler(timeout: idleTimeout))
        try pipeline.addHandler(WriteCoalescer())
        try pipeline.addHandler(RequestStartWatcher(readTimeout: readTimeout))
        // The answers' headers are the server's own constants, so NIO's per-answer header check is left out; and
        // every answer carries its content-length and never a transfer-encoding (HTTPRequestHandler, and NIO's
        // own 400), so the framing pass is too — it copied each answer's headers to remove a transfer-encoding.
        var encoder = HTTPResponseEncoder.Configuration()
        encoder.automaticallySetFramingHeaders = false
        // HTTPRequestHandler answers a malformed request with 400 itself: NIO's error handler passed and cast
        // every answer part to track whether an answer had begun, which one written in one go never has.
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false,
                                                 withOutboundHeaderValidation: false, withEncoderConfiguration: encoder)
        try pipeline.addHandler(HTTPRequestHandler(routes: routes, readTimeout: readTimeout, errorLog: connectionLog))
    }

    /// The HTTP/2 connection: NIOHTTP2 with ``HTTP2Safeguards``, each stream an HTTP/1-style pipeline.
    private func configureHTTP2(_ pipeline: ChannelPipeline.SynchronousOperations,
                                negotiation: ProtocolNegotiationGuard, on eventLoop: any EventLoop) throws
    {
        negotiation.protocolNegotiated()
        let firstStream = NIOLoopBound(negotiation, eventLoop: eventLoop)
        let management = NIOHTTP2ServerConnectionManagementHandler(eventLoop: eventLoop,
                                                                   configuration: HTTP2Safeguards.management)
        let (routes, readTimeout, connectionLog) = (routes, readTimeout, connectionLog)
        let http2 = NIOHTTP2Handler(
            mode: .server,
            eventLoop: eventLoop,
            connectionConfiguration: HTTP2Safeguards.connection,
            streamConfiguration: HTTP2Safeguards.stream,
            streamDelegate: management.http2StreamDelegate
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                firstStream.value.streamOpened()
                let pipeline = stream.pipeline.syncOperations
                try pipeline.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                let streamTimeout = ReadTimeout(timeout: readTimeout, log: connectionLog, isStream: true)
                try pipeline.addHandler(HTTPRequestHandler(routes: routes, readTimeout: streamTimeout))
            }
        }
        try pipeline.addHandler(http2)
        try pipeline.addHandler(management)
        try pipeline.addHandler(ConnectionErrorLogger(log: connectionLog))
        try pipeline.addHandler(IdleTimeoutHandler(timeout: idleTimeout))
        try pipeline.addHandler(ConnectionCloser())
    }
}
