import Logging
import NIOCore
import NIOSSL

/// Logs, once per connection, the error that ends it — TLS garbage, a refused client certificate, a
/// protocol violation — so that each bad connection leaves one line.
final class ConnectionErrorLogger: ChannelInboundHandler, RemovableChannelHandler {
    // Whatever the handler sits behind (bytes before TLS, HTTP parts after it) passes through untouched.
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

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
