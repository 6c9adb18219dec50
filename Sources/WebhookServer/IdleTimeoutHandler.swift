import NIOCore

/// Fires NIO's `IdleStateHandler.IdleStateEvent.all` when a connection has neither read nor flushed anything for
/// the idle timeout, so that the handler behind it closes the connection — what `IdleStateHandler(allTimeout:)`
/// does, without its cost on the hot path.
///
/// NIO's handler watches writes by attaching a promise to every write (three per HTTP answer: head, body, end)
/// and re-arming its timer as each completes; a webhook answering tens of thousands of requests a second paid
/// for those allocations and callbacks on every answer. This handler notes the time of each read and flush — a
/// flush is when the answer leaves, as its writes complete within it — and keeps one timer per connection that
/// checks the time (the event loop's clock) when it fires and re-arms for the remainder, as ``ReadTimeout``
/// does.
final class IdleTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let timeout: TimeAmount
    /// When the connection last read or flushed.
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        context.fireChannelRead(data)
    }

    func flush(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        context.flush()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        lastActivity = context.eventLoop.now
        schedule(at: lastActivity + timeout, context)
    }

    private func schedule(at deadline: NIODeadline, _ context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            let due = lastActivity + timeout
            if due <= context.eventLoop.now {
                context.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
                // Armed again, as NIO's handler is: whoever handles the event may keep the connection.
                lastActivity = context.eventLoop.now
                schedule(at: lastActivity + timeout, context)
            } else {
                schedule(at: due, context)
            }
        }
    }

    private func stop() {
        timer?.cancel()
        timer = nil
    }
}
