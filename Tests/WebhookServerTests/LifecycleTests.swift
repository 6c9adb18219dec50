import IdentityGuardTesting
import AsyncHTTPClient
import IdentityRules
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif
import Testing
import WebhookServer
import KubeJSON

/// Graceful shutdown (SIGTERM: stop accepting, finish what is in flight, return) and the HTTP versions served.
@Suite("Lifecycle and protocols")
struct LifecycleTests {
    @Test("graceful shutdown stops accepting, finishes the request in flight, and returns without error")
    func gracefulShutdown() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let server = try await RunningServer.start(pki: pki, configure: { $0.readTimeout = .seconds(10) })
        do {
            try await withHTTPClient(try clientConfiguration(trusting: pki)) { client in
                let body = Review.deniedUser(uid: "in-flight")
                let (parts, continuation) = AsyncStream<ByteBuffer>.makeStream()
                var request = HTTPClientRequest(url: server.baseURL + "/validate")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .stream(parts, length: .known(Int64(body.count)))
                continuation.yield(ByteBuffer(bytes: body[..<10]))
                let inFlight = Task { try await send(client, request) }

                // The server is handling it once its in-flight gauge says so.
                let handling = await eventually {
                    PrometheusText(String(decoding: server.server.metrics.render(), as: UTF8.self))
                        .value("identity_guard_inflight_requests") == 1
                }
                #expect(handling, "the request never reached the handler")

                await server.triggerGracefulShutdown()
                // New connections are refused while the request is still in flight.
                let refusing = await eventually(within: .seconds(3)) {
                    do {
                        let connection = try await RawConnection.connect(port: server.webhookPort, tls: nil)
                        connection.close()
                        return false
                    } catch {
                        return true
                    }
                }
                #expect(refusing, "the server still accepts connections during graceful shutdown")

                for start in stride(from: 10, to: body.count, by: 200) {
                    try await Task.sleep(for: .milliseconds(20))
                    continuation.yield(ByteBuffer(bytes: body[start..<min(start + 200, body.count)]))
                }
                continuation.finish()
                let reply = try await inFlight.value
                #expect(reply.status == .ok)
                let answer = try reply.json
                #expect(answer["response"]?["uid"] == "in-flight")
                #expect(answer["response"]?["allowed"] == false)
                #expect(answer["response"]?["status"]?["code"] == 403)

                try await server.waitUntilStopped()
                await #expect("the stopped server accepted a connection") {
                    let connection = try await RawConnection.connect(port: server.webhookPort, tls: nil)
                    connection.close()
                } throws: { error in
                    (error as? NIOConnectionError)?.connectionErrors.contains {
                        ($0.error as? IOError)?.errnoCode == ECONNREFUSED
                    } == true
                }
            }
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test("HTTP/2 through ALPN when enabled; HTTP/1.1 otherwise and for clients that insist on it")
    func httpVersions() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let body = Review.allowedUser(uid: "h2")
        let expected = Review.answer(Review.v1, ["uid": "h2", "allowed": true])
        try await RunningServer.with(pki: pki, configure: { $0.http2 = true }) { server in
            let reply = try await server.send("/validate", body: body)
            #expect(reply.version == .http2)
            #expect(reply.status == .ok)
            #expect(try reply.json == expected)
            let mutated = try await server.send("/mutate", body: body)
            #expect(mutated.version == .http2)
            #expect(try mutated.json == expected)
            let rejected = try await server.send("/validate", body: body, contentType: "text/plain")
            #expect(rejected.version == .http2)
            #expect(rejected.status == .unsupportedMediaType)

            try await withHTTPClient(try clientConfiguration(trusting: pki, httpVersion: .http1Only)) { client in
                let http1 = try await server.send("/validate", body: body, client: client)
                #expect(http1.version == .http1_1)
                #expect(try http1.json == expected)
            }
        }
        try await RunningServer.with(pki: pki) { server in
            let reply = try await server.send("/validate", body: body)
            #expect(reply.version == .http1_1)
            #expect(try reply.json == expected)
        }
    }
}
