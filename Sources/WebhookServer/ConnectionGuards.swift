import Logging
import NIOCore
import NIOHTTPTypes
import NIOSSL

/// Closes a connection whose request does not arrive complete within the read timeout: slow or half-open
/// clients must not hold a connection (and an in-flight slot) forever. Idle keep-alive connections are the
/// idle timeout's.
final class ReadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private let logger: Logger
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: if deadline == nil { arm(context) }
        case .end: disarm()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        let channel = context.channel
        let logger = logger
        let timeout = timeout
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            logger.warning("closing connection: request not complete within the read timeout", metadata: [
                "remote": "\(channel.remoteAddress?.description ?? "?")",
                "timeout_ms": "\(timeout.nanoseconds / 1_000_000)",
            ])
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}

/// Logs, once per connection, the error that ends it — TLS garbage, a refused client certificate, a
/// protocol violation — so that each bad connection leaves one line.
final class ConnectionErrorLogger: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let logger: Logger
    private var logged = false

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !logged {
            logged = true
            let kind = error is NIOSSLError || error is BoringSSLError ? "tls" : "connection"
            // A client hanging up without close_notify is routine (many HTTP clients do); not worth a warning.
            let level: Logger.Level = (error as? NIOSSLError) == .uncleanShutdown ? .debug : .warning
            logger.log(level: level, "closing connection after \(kind) error", metadata: [
                "remote": "\(context.channel.remoteAddress?.description ?? "?")",
                "error": "\(error)",
            ])
        }
        context.fireErrorCaught(error)
    }
}
