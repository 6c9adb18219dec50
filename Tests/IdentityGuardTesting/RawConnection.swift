import KubeJSON
import Admission
import AsyncHTTPClient
import Foundation
import IdentityRules
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle
import Testing
import WebhookServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw client connection (TCP, optionally TLS) to see what the server does at the connection level.
package final class RawConnection: Sendable {
    package let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    private init(channel: any Channel, received: NIOLockedValueBox<[UInt8]>) {
        self.channel = channel
        self.received = received
    }

    /// Connects to 127.0.0.1:`port`; with `tls`, returns after the handshake completed (or throws its error).
    package static func connect(port: Int, tls: TLSConfiguration?, serverHostname: String? = "localhost") async throws
        -> RawConnection
    {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = loop.makePromise(of: Void.self)
        let received = NIOLockedValueBox<[UInt8]>([])
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let context {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: context, serverHostname: serverHostname))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            Collector(received: received, handshake: handshake, waitsForTLS: context != nil))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            handshake.fail(error)
            throw error
        }
        do {
            try await handshake.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        return RawConnection(channel: channel, received: received)
    }

    package func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    package func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    package var receivedText: String { String(decoding: self.receivedBytes, as: UTF8.self) }

    /// Every byte received so far.
    package var receivedBytes: [UInt8] { received.withLockedValue { $0 } }

    package var isOpen: Bool { channel.isActive }

    /// Waits until the peer closed the connection; returns false if it is still open after `timeout`.
    package func waitForClose(within timeout: Duration) async -> Bool {
        let channel = channel
        return await eventually(within: timeout) { !channel.isActive }
    }

    package func close() {
        channel.close(promise: nil)
    }

    /// Collects what arrives and reports the end of the TLS handshake.
    private final class Collector: ChannelInboundHandler {
        package typealias InboundIn = ByteBuffer

        private let received: NIOLockedValueBox<[UInt8]>
        private let handshake: EventLoopPromise<Void>
        private var handshakeDone: Bool

        package init(received: NIOLockedValueBox<[UInt8]>, handshake: EventLoopPromise<Void>, waitsForTLS: Bool) {
            self.received = received
            self.handshake = handshake
            handshakeDone = false
            if !waitsForTLS {
                handshakeDone = true
                handshake.succeed(())
            }
        }

        package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0.append(contentsOf: buffer.readableBytesView) }
        }

        package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? TLSUserEvent, case .handshakeCompleted = event { finish(nil) }
            context.fireUserInboundEventTriggered(event)
        }

        package func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(error)
            context.close(promise: nil)
        }

        package func channelInactive(context: ChannelHandlerContext) {
            finish(TestFailure("the connection closed before the TLS handshake completed"))
            context.fireChannelInactive()
        }

        private func finish(_ error: (any Error)?) {
            guard !handshakeDone else { return }
            handshakeDone = true
            if let error { handshake.fail(error) } else { handshake.succeed(()) }
        }
    }
}
