import IdentityGuardTesting
import Admission
import AsyncHTTPClient
import Foundation
import IdentityRules
import KubeJSON
import NIOCore
import NIOHTTP1
import Testing
import WebhookServer

/// HTTP/2 on the webhook port (`--http2`): the same answers as HTTP/1.1 through the same handler, and the
/// safeguards HTTP/2 needs of its own — the stream cap, rapid reset, PING and SETTINGS floods, GOAWAY on
/// graceful shutdown, the read timeout per stream — driven by clients that write raw frames.
@Suite("HTTP/2 on the webhook port")
struct HTTP2Tests {
    /// A good HTTP/2 client (AsyncHTTPClient negotiates `h2`) is still answered.
    static func expectStillServing(_ server: RunningServer, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let reply = try await server.send("/validate", body: Review.allowedUser(uid: "good"))
        #expect(reply.version == .http2, sourceLocation: sourceLocation)
        #expect(try reply.json == Review.answer(Review.v1, ["uid": "good", "allowed": true]),
                sourceLocation: sourceLocation)
    }

    static let connectionErrors = #"identity_guard_connections_closed_total{reason="connection_error"}"#

    // MARK: - The same answers

    @Test("every golden fixture: HTTP/2 answers the same bytes as HTTP/1.1 on one server with --http2")
    func goldenFixtures() async throws {
        let directory = Repository.root.appendingPathComponent("Tests/AdmissionTests/Fixtures/golden")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }
        #expect(names.count >= 34)
        // Fixtures with the same rule configuration and known Users share a server.
        var groups: [String: [(name: String, fixture: JSONValue)]] = [:]
        for name in names.sorted() {
            let fixture = try JSONReader.parse(Array(try Data(contentsOf: directory.appendingPathComponent(name))))
            let key = JSONWriter.string(.array([fixture["config"] ?? .null, fixture["users"] ?? .null]))
            groups[key, default: []].append((name, fixture))
        }
        let pki = try TestPKI()
        defer { pki.remove() }
        var compared = 0
        for key in groups.keys.sorted() {
            let fixtures = try #require(groups[key])
            let server = try await RunningServer.start(pki: pki, handler: try Self.handler(for: fixtures[0].fixture),
                                                       configure: { $0.http2 = true })
            do {
                try await withHTTPClient(try clientConfiguration(trusting: pki, httpVersion: .http1Only)) { http1 in
                    for (name, fixture) in fixtures {
                        let path = try #require(fixture["path"]?.stringValue)
                        let body = JSONWriter.serialize(try #require(fixture["request"]))
                        let overHTTP2 = try await server.send(path, body: body)
                        let overHTTP1 = try await server.send(path, body: body, client: http1)
                        #expect(overHTTP2.version == .http2, "\(name)")
                        #expect(overHTTP1.version == .http1_1, "\(name)")
                        #expect(overHTTP2.status == .ok && overHTTP1.status == .ok, "\(name)")
                        #expect(overHTTP2.headers["content-type"] == ["application/json"], "\(name)")
                        #expect(overHTTP2.bytes == overHTTP1.bytes, "\(name): \(overHTTP2.text) \(overHTTP1.text)")
                        #expect(try overHTTP2.json == fixture["response"], "\(name): \(overHTTP2.text)")
                        compared += 1
                    }
                }
            } catch {
                try? await server.stop()
                throw error
            }
            try await server.stop()
        }
        #expect(compared == names.count)
    }

    /// The handler a golden fixture describes (as `GoldenFixtureTests` builds it): its rule configuration and
    /// the Users its email index knows.
    static func handler(for fixture: JSONValue) throws -> ReviewCodec {
        let configuration = try RuleConfiguration(document: fixture["config"] ?? .object(JSONObject()))
        let users = try (fixture["users"]?.arrayValue ?? []).map { entry in
            (name: try #require(entry["name"]?.stringValue), email: try #require(entry["email"]?.stringValue))
        }
        return ReviewCodec(reviewer: AdmissionReviewer(engine: RuleEngine(configuration: configuration),
                                                            emailIndex: InMemoryEmailIndex(users)))
    }

    @Test("an HTTP/2 answer carries no connection-specific header, and the connection serves the next stream")
    func noConnectionHeaders() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: { $0.http2 = true }) { server in
            var request = HTTPClientRequest(url: server.baseURL + "/validate")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(Review.allowedUser(uid: "h2-headers"))
            let reply = try await send(server.client, request)
            #expect(reply.version == .http2)
            #expect(reply.headers["connection"].isEmpty && reply.headers["keep-alive"].isEmpty)
            #expect(reply.headers["content-length"] == [String(reply.bytes.count)])
            try await Self.expectStillServing(server)
            #expect(server.metric("identity_guard_open_connections") == 1)
        }
    }

    // MARK: - Abusive clients

    @Test("a client that opens more streams than SETTINGS_MAX_CONCURRENT_STREAMS gets GOAWAY PROTOCOL_ERROR")
    func tooManyStreams() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: { $0.http2 = true }) { server in
            let client = try await RawHTTP2Connection.open(server)
            defer { client.connection.close() }
            let advertised = client.frames.first { $0.isA(.settings) && $0.flags & HTTP2Wire.ack == 0 }?.settings
            #expect(advertised?[0x3] == 100, "SETTINGS_MAX_CONCURRENT_STREAMS: \(advertised ?? [:])")
            // 100 requests whose bodies never come hold every stream; the 101st is one too many.
            let streams = (0..<101).map { UInt32(1 + 2 * $0) }
            try await client.send(streams.flatMap { HTTP2Wire.headers(stream: $0) })
            #expect(await eventually { !client.goAways.isEmpty }, "no GOAWAY: \(client.frames.map(\.type))")
            #expect(client.goAways.first?.code == HTTP2Wire.ErrorCode.protocolError.rawValue)
            #expect(await client.connection.waitForClose(within: .seconds(5)))
            // None of the 100 was answered; every one of them is given up with the connection.
            #expect(streams.allSatisfy { !client.answered($0) })
            #expect(await eventually { server.metric("identity_guard_inflight_requests") == 0 })
            #expect(server.metric(Self.connectionErrors) == 1)
            try await Self.expectStillServing(server)
        }
    }

    @Test("rapid reset (CVE-2023-44487): HEADERS then RST_STREAM thousands of times gets GOAWAY ENHANCE_YOUR_CALM")
    func rapidReset() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: { $0.http2 = true }) { server in
            let client = try await RawHTTP2Connection.open(server)
            defer { client.connection.close() }
            var stream: UInt32 = 1
            var sent = 0
            // 5,000 pairs in writes of 250; the server hangs up long before the last.
            attack: for _ in 0..<20 {
                var batch: [UInt8] = []
                for _ in 0..<250 {
                    batch += HTTP2Wire.headers(stream: stream) + HTTP2Wire.rstStream(stream: stream)
                    stream += 2
                }
                do {
                    try await client.send(batch)
                } catch {
                    break attack
                }
                sent += 250
            }
            #expect(await eventually { !client.goAways.isEmpty }, "no GOAWAY after \(sent) resets")
            let goAway = try #require(client.goAways.first)
            #expect(goAway.code == HTTP2Wire.ErrorCode.enhanceYourCalm.rawValue)
            // Misbehaving: no stream of this connection is processed further.
            #expect(goAway.lastStream == 0)
            #expect(await client.connection.waitForClose(within: .seconds(5)))
            #expect(server.metric(Self.connectionErrors) == 1)
            let logged = server.logs.events("closing connection after connection error")
            #expect(logged.contains { $0["error"]?.stringValue?.contains("ExcessiveRSTFrames") == true }, "\(logged)")
            #expect(await eventually { server.metric("identity_guard_inflight_requests") == 0 })
            try await Self.expectStillServing(server)
        }
    }

    @Test("a PING or SETTINGS flood from a client that does not read its answers is closed", arguments: [
        ("PING", HTTP2Wire.ping([1, 2, 3, 4, 5, 6, 7, 8])),
        ("SETTINGS", HTTP2Wire.settings([(0x4, 65_535)])),
    ])
    func controlFrameFlood(kind: String, frame: [UInt8]) async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: { $0.http2 = true }) { server in
            let client = try await RawHTTP2Connection.open(server)
            defer { client.connection.close() }
            try await client.connection.channel.setOption(ChannelOptions.autoRead, value: false).get()
            // 10,000 frames, each asking for an answer the client will not read.
            let flood = ByteBuffer(bytes: Array([[UInt8]](repeating: frame, count: 10_000).joined()))
            client.connection.channel.writeAndFlush(flood, promise: nil)
            #expect(await eventually { server.metric(Self.connectionErrors) == 1 }, "\(kind) flood not stopped")
            #expect(await eventually { server.metric("identity_guard_open_connections") == 0 })
            let logged = server.logs.events("closing connection after connection error")
            #expect(logged.contains { $0["error"]?.stringValue?.contains("ExcessiveControlFrames") == true },
                    "\(logged)")
            #expect(await client.connection.waitForClose(within: .seconds(5)))
            try await Self.expectStillServing(server)
        }
    }

    @Test("a stream whose body stalls is reset at the read timeout; the connection and its other streams go on")
    func streamReadTimeout() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        // 3 s, not 1: the connection's first stream must arrive within the read timeout too (handshake and
        // preface included), which a loaded two-core machine can take a second for.
        try await RunningServer.with(pki: pki, configure: {
            $0.http2 = true
            $0.readTimeout = .seconds(3)
        }) { server in
            let client = try await RawHTTP2Connection.open(server)
            defer { client.connection.close() }
            let body = Review.allowedUser(uid: "on-time")
            try await client.send(HTTP2Wire.headers(stream: 1, contentLength: 100) + HTTP2Wire.data(stream: 1, [0x7b]))
            try await client.send(HTTP2Wire.headers(stream: 3, contentLength: body.count)
                + HTTP2Wire.data(stream: 3, body, endStream: true))
            #expect(await eventually { client.answered(3) })
            #expect(client.body(of: 3).contains(#""uid":"on-time""#))
            let reset = { client.frames.first { $0.stream == 1 && $0.isA(.rstStream) } }
            #expect(await eventually { reset() != nil })
            #expect(reset()?.resetCode == HTTP2Wire.ErrorCode.cancel.rawValue)
            #expect(server.logs.events("resetting stream: request not complete within the read timeout").count == 1)
            #expect(server.logs.events(ConnectionTests.readTimeoutMessage).isEmpty)
            #expect(client.connection.isOpen && client.goAways.isEmpty)
            let again = Review.allowedUser(uid: "after-reset")
            try await client.send(HTTP2Wire.headers(stream: 5, contentLength: again.count)
                + HTTP2Wire.data(stream: 5, again, endStream: true))
            #expect(await eventually { client.answered(5) })
        }
    }

    @Test("a client that negotiates h2 and opens no stream is closed at the read timeout")
    func silentAfterNegotiation() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: {
            $0.http2 = true
            $0.readTimeout = .seconds(1)
            $0.idleTimeout = .seconds(60)
        }) { server in
            // Nothing after the preface and SETTINGS: in CI the 1 s timeout once closed the connection before the
            // client's SETTINGS acknowledgement went out, and the test failed on the client's write.
            let client = try await RawHTTP2Connection.open(server, acknowledging: false)
            defer { client.connection.close() }
            #expect(await client.connection.waitForClose(within: .seconds(5)), "a silent HTTP/2 connection stayed open")
            #expect(server.metric(#"identity_guard_connections_closed_total{reason="read_timeout"}"#) == 1)
            try await Self.expectStillServing(server)
        }
    }

    // MARK: - Graceful shutdown

    @Test("graceful shutdown sends GOAWAY; the stream in flight is answered, then the connection closes")
    func gracefulShutdown() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let server = try await RunningServer.start(pki: pki, configure: {
            $0.http2 = true
            $0.readTimeout = .seconds(10)
        })
        do {
            let client = try await RawHTTP2Connection.open(server)
            defer { client.connection.close() }
            let body = Review.deniedUser(uid: "in-flight")
            try await client.send(HTTP2Wire.headers(stream: 1, contentLength: body.count)
                + HTTP2Wire.data(stream: 1, Array(body[..<10])))
            #expect(await eventually { server.metric("identity_guard_inflight_requests") == 1 })

            await server.triggerGracefulShutdown()
            // First GOAWAY: no error, every stream the client may have opened meanwhile is still taken; then a
            // PING whose answer tells the server the client has seen it.
            #expect(await eventually { !client.goAways.isEmpty }, "no GOAWAY on graceful shutdown")
            #expect(client.goAways.first?.code == HTTP2Wire.ErrorCode.noError.rawValue)
            #expect(client.goAways.first?.lastStream == HTTP2Wire.maxStreamID)
            let ping = try #require(client.frames.first { $0.isA(.ping) && $0.flags & HTTP2Wire.ack == 0 })
            try await client.send(HTTP2Wire.ping(ping.payload, ack: true))
            // Second GOAWAY: the last stream the server will answer is the one in flight.
            #expect(await eventually { client.goAways.count == 2 })
            #expect(client.goAways.last?.lastStream == 1)
            #expect(client.connection.isOpen)

            try await client.send(HTTP2Wire.data(stream: 1, Array(body[10...]), endStream: true))
            #expect(await eventually { client.answered(1) })
            let answer = try JSONReader.parse(Array(client.body(of: 1).utf8))
            #expect(answer["response"]?["uid"] == "in-flight")
            #expect(answer["response"]?["allowed"] == false)
            #expect(await client.connection.waitForClose(within: .seconds(5)))
            try await server.waitUntilStopped()
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}
