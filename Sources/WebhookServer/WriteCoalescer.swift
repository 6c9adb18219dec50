import NIOCore

/// Joins the bytes an HTTP/1.1 connection writes between two flushes into one buffer before TLS, so that an
/// answer — NIO's encoder writes its head and its body separately — goes out as one TLS record and one
/// `SSL_write`, not two.
///
/// Go's `net/http` does the same through its buffered writer. Writes carrying a promise are joined too; their
/// promises complete with the joined write. A write that is not a `ByteBuffer` (a file region, never written
/// here) flushes what is pending first and passes on untouched, so the order of bytes never changes.
final class WriteCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var pending: ByteBuffer?
    private var promises: [EventLoopPromise<Void>] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .byteBuffer(var buffer) = unwrapOutboundIn(data) else {
            writePending(context)
            context.write(data, promise: promise)
            return
        }
        if let promise { promises.append(promise) }
        if pending == nil {
            pending = buffer
        } else {
            pending!.writeBuffer(&buffer)
        }
    }

    func flush(context: ChannelHandlerContext) {
        writePending(context)
        context.flush()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Removed with the channel: nothing was flushed, so nothing is owed but the promises' failure.
        pending = nil
        let promises = promises
        self.promises = []
        for promise in promises { promise.fail(ChannelError.ioOnClosedChannel) }
    }

    private func writePending(_ context: ChannelHandlerContext) {
        guard let buffer = pending else { return }
        pending = nil
        let promise: EventLoopPromise<Void>?
        switch promises.count {
        case 0: promise = nil
        case 1: promise = promises[0]
        default:
            let joined = context.eventLoop.makePromise(of: Void.self)
            for waiting in promises { joined.futureResult.cascade(to: waiting) }
            promise = joined
        }
        promises.removeAll(keepingCapacity: true)
        context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
    }
}
