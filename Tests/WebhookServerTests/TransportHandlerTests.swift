import Admission
import NIOCore
import NIOEmbedded
import NIOHTTP1
import IdentityGuardTesting
import Testing
@testable import WebhookServer

/// The two handlers the hot path uses in place of costlier ones: ``WriteCoalescer`` (an answer in one TLS
/// record) and ``IdleTimeoutHandler`` (NIO's idle semantics without a promise per write).
@Suite("Transport handlers")
struct TransportHandlerTests {
    @Test("a request target routes by its path alone: query and fragment ignored, anything else is no route")
    func routesByPath() {
        #expect(WebhookRoute(uri: "/validate") == .admission(.validating))
        #expect(WebhookRoute(uri: "/validate?timeout=10s") == .admission(.validating))
        #expect(WebhookRoute(uri: "/mutate#x") == .admission(.mutating))
        #expect(WebhookRoute(uri: "/mutate?") == .admission(.mutating))
        #expect(WebhookRoute(uri: "/healthz") == .probe(.healthz))
        #expect(WebhookRoute(uri: "/readyz?verbose") == .probe(.readyz))
        #expect(WebhookRoute(uri: "/metrics") == .probe(.metrics))
        for unknown in ["", "/", "?/validate", "/validate/", "/validatex", "/Validate", "validate", "/valid",
                        "//validate", "/validate%3F", "/v\u{301}alidate", "/mutate\u{301}",
                        // A prepended mark joins the `?` into one Character: the path is still more than /validate.
                        "/validate\u{600}?x"]
        {
            #expect(WebhookRoute(uri: unknown) == nil, "\(unknown)")
        }
    }

    @Test("an HTTP answer's head, body and end leave the coalescer as one buffer, at the flush, in order")
    func answerIsOneWrite() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WriteCoalescer())
        try channel.pipeline.syncOperations.addHandler(HTTPResponseEncoder())
        var headers = HTTPHeaders()
        headers.add(name: "content-length", value: "2")
        channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)),
                      promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "ok"))), promise: nil)
        let ended = channel.eventLoop.makePromise(of: Void.self)
        channel.write(HTTPServerResponsePart.end(nil), promise: ended)
        // Nothing leaves before the flush.
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.flush()
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: written) == "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        let completed = Locked(false)
        ended.futureResult.whenSuccess { completed.withLock { $0 = true } }
        #expect(completed.current, "the promise of a joined write completes with it")
        #expect(try channel.finish().isClean)
    }

    @Test("writes with promises are joined and every promise completes; a channel closed first fails them")
    func promisesComplete() throws {
        let channel = EmbeddedChannel(handler: WriteCoalescer())
        let first = channel.eventLoop.makePromise(of: Void.self)
        let second = channel.eventLoop.makePromise(of: Void.self)
        channel.write(ByteBuffer(string: "a"), promise: first)
        channel.write(ByteBuffer(string: "b"), promise: second)
        channel.flush()
        #expect(String(buffer: try #require(try channel.readOutbound(as: ByteBuffer.self))) == "ab")
        let results = Locked([Bool]())
        first.futureResult.whenComplete { result in results.withLock { $0.append((try? result.get()) != nil) } }
        second.futureResult.whenComplete { result in results.withLock { $0.append((try? result.get()) != nil) } }
        #expect(results.current == [true, true])

        let unflushed = channel.eventLoop.makePromise(of: Void.self)
        channel.write(ByteBuffer(string: "never sent"), promise: unflushed)
        let failed = Locked(false)
        unflushed.futureResult.whenFailure { _ in failed.withLock { $0 = true } }
        _ = try? channel.finish()
        #expect(failed.current, "a write never flushed must not leave its promise hanging")
    }

    @Test("the idle event fires after the timeout without reads or flushes, and each read or flush postpones it")
    func idleEvent() throws {
        let events = IdleEvents()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(IdleTimeoutHandler(timeout: .seconds(10)))
        try channel.pipeline.syncOperations.addHandler(events)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(events.count == 0)
        try channel.writeInbound(ByteBuffer(string: "request"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(events.count == 0, "a read 9 s ago keeps the connection from being idle")
        try channel.writeOutbound(ByteBuffer(string: "answer"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(events.count == 0, "a flush 9 s ago keeps the connection from being idle")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(events.count == 1)
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(events.count == 2, "armed again after firing, as NIO's IdleStateHandler is")
        _ = try? channel.finish()
    }
}

/// Counts the idle events that reach the end of the pipeline.
private final class IdleEvents: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var count = 0

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .all? = event as? IdleStateHandler.IdleStateEvent { count += 1 }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
