import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The webhook port over TLS with HTTP/1.1 — what the kube-apiserver speaks to webhooks — served by SwiftNIO
/// directly: a service that binds, hands each connection to an ``HTTP1AdmissionHandler``, and on graceful
/// shutdown stops accepting and lets each connection finish the request it is answering (NIO's
/// `ServerQuiescingHelper`).
///
/// Per connection, in pipeline order: the connection cap (before the TLS handshake, so a refused connection
/// costs no handshake), back-pressure (NIO's `BackPressureHandler`: a client that sends requests but does not
/// read the answers is not read further once 64 KiB of them wait, so it can neither grow the server's memory
/// nor take its CPU from other clients), TLS (the context's callback serves the reloaded certificate), the read
/// timeout's byte watcher, NIO's HTTP/1.1 server pipeline with pipelining assistance and protocol-error
/// answers, the connection error log, the idle timeout, the read timeout and the responder.
struct HTTP1WebhookListener: Service {
    let host: String
    let port: Int
    /// Event loop threads: one per usable CPU unless set.
    let threads: Int
    let tls: NIOSSLContext
    let endpoints: WebhookEndpoints
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
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(connectionLimit.handler())
        try pipeline.addHandler(BackPressureHandler())
        try pipeline.addHandler(NIOSSLServerHandler(context: tls))
        let readTimeout = ReadTimeoutHandler<HTTPServerRequestPart>(timeout: readTimeout, log: connectionLog)
        try pipeline.addHandler(RequestStartWatcher(readTimeout: readTimeout))
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
        try pipeline.addHandler(ConnectionErrorLogger(log: connectionLog))
        try pipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout))
        try pipeline.addHandler(readTimeout)
        try pipeline.addHandler(HTTP1AdmissionHandler(endpoints: endpoints))
    }
}
