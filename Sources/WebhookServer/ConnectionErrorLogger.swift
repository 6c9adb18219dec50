import Logging
import NIOCore
import NIOSSL

/// Counts, once per connection, the error that ends it — TLS garbage, a refused client certificate, a
/// protocol violation — and logs it through the rate-limited ``ConnectionEventLog``.
///
/// In an HTTP/2 connection's pipeline. An HTTP/1.1 connection's responder (``HTTPRequestHandler``) records its
/// error itself through ``record(_:on:in:)``: a handler in front of it would see every request part.
final class ConnectionErrorLogger: ChannelInboundHandler, RemovableChannelHandler {
    // Whatever the handler sits behind (bytes before TLS, HTTP parts after it) passes through untouched.
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    private let log: ConnectionEventLog
    private var logged = false

    init(log: ConnectionEventLog) {
        self.log = log
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !logged {
            logged = true
            Self.record(error, on: context.channel, in: log)
        }
        context.fireErrorCaught(error)
    }

    /// Counts and logs the error that ends the connection `channel`.
    static func record(_ error: any Error, on channel: any Channel, in log: ConnectionEventLog) {
        let tls = error is NIOSSLError || error is BoringSSLError
        // A client hanging up without close_notify is routine (many HTTP clients do); not worth a warning.
        let routine = (error as? NIOSSLError) == .uncleanShutdown
        if !routine { log.count(tls ? .tlsError : .connectionError) }
        log.log(routine ? .debug : .warning, "closing connection after \(tls ? "tls" : "connection") error") {
            ["remote": "\(channel.remoteAddress?.description ?? "?")", "error": "\(error)"]
        }
    }
}
