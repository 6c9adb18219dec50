import NIOCore

/// The last handler of an HTTP/2 connection: closes it at the idle timeout, and on any error that reaches it.
///
/// NIOHTTP2 has already sent what the protocol asks for (a GOAWAY with the error code for a connection error,
/// a RST_STREAM for a stream error) and reports both kinds alike; the connection is closed for either, as the
/// HTTP/1.1 responder closes a connection in error — a client that breaks the protocol on one stream is not
/// trusted with the others (RFC 9113 lets an endpoint close a connection at any time).
final class ConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
