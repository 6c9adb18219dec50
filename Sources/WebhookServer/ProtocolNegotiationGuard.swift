import Logging
import NIOCore

/// Holds a TLS connection's read timeout while its protocol is not known yet: from accept through the
/// handshake and ALPN until the protocol's own handlers take over — HTTP/1.1's ``ReadTimeout`` (with the
/// same deadline), or for HTTP/2 the first stream's.
///
/// Until the protocol is negotiated it also closes the connection on an error (logged once, like
/// ``ConnectionErrorLogger``) and on graceful shutdown, when there is no request to finish. After that the
/// protocol's handlers do both; on HTTP/2 only the deadline is left here, until the first stream opens.
final class ProtocolNegotiationGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    /// When the connection's first request must have arrived.
    let deadline: NIODeadline
    private let log: ConnectionEventLog
    private var timer: Scheduled<Void>?
    private var negotiated = false

    init(deadline: NIODeadline, log: ConnectionEventLog) {
        self.deadline = deadline
        self.log = log
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let log = log
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            log.count(.readTimeout)
            log.log(.warning, "closing connection: request not complete within the read timeout") {
                ["remote": "\(channel.remoteAddress?.description ?? "?")"]
            }
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        streamOpened()
    }

    func channelInactive(context: ChannelHandlerContext) {
        streamOpened()
        context.fireChannelInactive()
    }

    /// HTTP/2 was negotiated: its handlers now answer errors and graceful shutdown.
    func protocolNegotiated() {
        negotiated = true
    }

    /// An HTTP/2 stream opened (or the connection ended): the deadline no longer applies.
    func streamOpened() {
        timer?.cancel()
        timer = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !negotiated else { return context.fireErrorCaught(error) }
        ConnectionErrorLogger.record(error, on: context.channel, in: log)
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !negotiated, event is ChannelShouldQuiesceEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
