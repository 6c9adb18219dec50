import IdentityGuardTesting
import Foundation
import IdentityRules
import NIOCore
import NIOHTTP1
import Testing
import WebhookServer
import KubeJSON

/// Connections that misbehave — slow or half-open clients, non-TLS bytes on the TLS port — are closed, and the
/// server keeps serving everyone else.
@Suite("Connection guards")
struct ConnectionTests {
    static let readTimeoutMessage = "closing connection: request not complete within the read timeout"

    /// Opens a TLS connection to `server`, runs `send`, and returns how long after the start of the connection
    /// the server closed it (nil: still open after `limit`).
    static func timeUntilClosed(_ server: RunningServer, limit: Duration = .seconds(6),
                                _ send: (RawConnection) async throws -> Void) async throws -> Duration?
    {
        let start = ContinuousClock.now
        let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
        defer { connection.close() }
        try await send(connection)
        guard await connection.waitForClose(within: limit) else { return nil }
        return ContinuousClock.now - start
    }

    static func expectStillServing(_ server: RunningServer, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let answer = try await server.review("/validate", Review.allowedUser(uid: "after"))
        #expect(answer == Review.answer(Review.v1, ["uid": "after", "allowed": true]), sourceLocation: sourceLocation)
    }

    /// With `--http2` a TLS client that offers no ALPN gets HTTP/1.1 behind the negotiation, with the same guards.
    static let withAndWithoutHTTP2 = [false, true]

    @Test("a client that stops in the middle of the request head is cut off at the read timeout",
          arguments: withAndWithoutHTTP2)
    func partialHead(http2: Bool) async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: {
            $0.http2 = http2
            $0.readTimeout = .seconds(1)
            $0.idleTimeout = .seconds(60)
        }) { server in
            let closedAfter = try await Self.timeUntilClosed(server) { connection in
                try await connection.send("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: appl")
            }
            let elapsed = try #require(closedAfter, "the server kept a half-sent request open")
            #expect(elapsed >= .milliseconds(800), "closed after \(elapsed), before the read timeout")
            #expect(server.logs.events(Self.readTimeoutMessage).count == 1)
            try await Self.expectStillServing(server)
        }
    }

    @Test("a client that sends a head and part of the body is cut off at the read timeout")
    func partialBody() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: {
            $0.readTimeout = .seconds(1)
            $0.idleTimeout = .seconds(60)
        }) { server in
            let closedAfter = try await Self.timeUntilClosed(server) { connection in
                try await connection.send("POST /validate HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"apiVersion\"")
            }
            let elapsed = try #require(closedAfter, "the server kept a half-sent body open")
            #expect(elapsed >= .milliseconds(800), "closed after \(elapsed), before the read timeout")
            try await Self.expectStillServing(server)
        }
    }

    @Test("a client that completes the handshake and then sends nothing is closed", arguments: withAndWithoutHTTP2)
    func silentAfterHandshake(http2: Bool) async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: {
            $0.http2 = http2
            $0.readTimeout = .seconds(1)
            $0.idleTimeout = .seconds(60)
        }) { server in
            let closedAfter = try await Self.timeUntilClosed(server) { _ in }
            let elapsed = try #require(closedAfter, "the server kept a silent connection open")
            #expect(elapsed >= .milliseconds(800), "closed after \(elapsed), before the read timeout")
            try await Self.expectStillServing(server)
        }
    }

    @Test("a keep-alive connection idle between requests is not cut by the read timeout, only by the idle timeout")
    func keepAliveOutlivesReadTimeout() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: {
            $0.readTimeout = .seconds(1)
            $0.idleTimeout = .seconds(3)
        }) { server in
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { connection.close() }
            let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
            try await connection.send(request)
            #expect(await eventually { connection.receivedText.hasSuffix("\r\n\r\nok\n") }, "\(connection.receivedText)")
            #expect(connection.receivedText.hasPrefix("HTTP/1.1 200 OK\r\n"))
            // Longer than the read timeout, shorter than the idle timeout.
            try await Task.sleep(for: .milliseconds(1500))
            #expect(connection.isOpen)
            try await connection.send(request)
            #expect(await eventually {
                connection.receivedText.components(separatedBy: "HTTP/1.1 200 OK\r\n").count == 3
                    && connection.receivedText.hasSuffix("\r\n\r\nok\n")
            }, "\(connection.receivedText)")
            #expect(server.logs.events(Self.readTimeoutMessage).isEmpty)
            // The idle timeout does close it.
            #expect(await connection.waitForClose(within: .seconds(6)), "an idle connection outlived the idle timeout")
        }
    }

    @Test(
        "non-TLS bytes on the TLS port close the connection, and the server keeps serving",
        arguments: [
            Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8),
            (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 41) },
        ],
        withAndWithoutHTTP2
    )
    func garbage(bytes: [UInt8], http2: Bool) async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: {
            $0.http2 = http2
            $0.readTimeout = .seconds(10)
        }) { server in
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: nil)
            defer { connection.close() }
            try await connection.send(bytes)
            // Well before the read timeout: the TLS error ends it.
            #expect(await connection.waitForClose(within: .seconds(3)), "the server kept a non-TLS connection open")
            #expect(!connection.receivedText.contains("HTTP/1.1"), "answered plain HTTP on the TLS port")
            #expect(await eventually { !server.logs.events("closing connection after tls error").isEmpty })
            try await Self.expectStillServing(server)
        }
    }

    @Test("over the connection limit a connection is closed at accept and counted; a freed slot is used again")
    func connectionLimit() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: { $0.maxConnections = 4 }) { server in
            // The server's own client holds no connection yet: four idle raw connections take every slot.
            var idle: [RawConnection] = []
            for _ in 0..<4 {
                idle.append(try await RawConnection.connect(port: server.webhookPort, tls: nil))
            }
            defer { idle.forEach { $0.close() } }
            #expect(await eventually { server.metric("identity_guard_open_connections") == 4 })
            let refused = try await RawConnection.connect(port: server.webhookPort, tls: nil)
            defer { refused.close() }
            #expect(await refused.waitForClose(within: .seconds(2)))
            #expect(server.metric("identity_guard_connections_refused_total") == 1)
            #expect(server.logs.events("refusing connection: the connection limit is reached").count == 1)
            for connection in idle { #expect(!(await connection.waitForClose(within: .milliseconds(50)))) }
            // Two hang up: their slots serve a real client again.
            idle[0].close()
            idle[1].close()
            #expect(await eventually { server.metric("identity_guard_open_connections") == 2 })
            try await Self.expectStillServing(server)
        }
    }

    @Test("pipelined requests on one connection are answered, in order, also past the answers written per turn",
          arguments: withAndWithoutHTTP2)
    func pipelined(http2: Bool) async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: { $0.http2 = http2 }) { server in
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { connection.close() }
            var many: [UInt8] = []
            let uids = (1...40).map { "many-\($0)-" }
            for uid in uids {
                let body = Review.allowedUser(uid: uid)
                many += Array(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.count)\r\n\r\n").utf8) + body
            }
            try await connection.send(many)
            #expect(await eventually { connection.receivedText.components(separatedBy: "HTTP/1.1 200").count == 41 })
            let answered = uids.compactMap { connection.receivedText.range(of: #""uid":"\#($0)""#)?.lowerBound }
            #expect(answered.count == 40 && answered == answered.sorted())

            var requests: [UInt8] = []
            for uid in ["pipelined-1", "pipelined-2", "pipelined-3"] {
                let body = Review.allowedUser(uid: uid)
                requests += Array(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.count)\r\n\r\n").utf8) + body
            }
            try await connection.send(requests)
            #expect(await eventually { connection.receivedText.components(separatedBy: "HTTP/1.1 200").count == 44 })
            let text = connection.receivedText
            let positions = ["pipelined-1", "pipelined-2", "pipelined-3"].compactMap { text.range(of: $0)?.lowerBound }
            #expect(positions.count == 3 && positions == positions.sorted())
        }
    }

    @Test("""
        10,000 failed TLS handshakes: each closed and counted, good clients answered, log lines limited, slots \
        and memory come back
        """)
    func failedHandshakes() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server in
            _ = try await server.review("/validate", Review.allowedUser(uid: "warm-up"))
            let baseline = Self.residentMiB()
            let start = ContinuousClock.now
            for round in 0..<50 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<200 {
                        group.addTask {
                            let garbage = try await RawConnection.connect(port: server.webhookPort, tls: nil)
                            defer { garbage.close() }
                            try await garbage.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                            #expect(await garbage.waitForClose(within: .seconds(5)))
                        }
                    }
                    try await group.waitForAll()
                }
                let answer = try await server.review("/validate", Review.allowedUser(uid: "good-\(round)"))
                #expect(answer["response"]?["allowed"] == true)
            }
            // Only the good client's keep-alive connection is left open, and the memory the storm took is back.
            #expect(await eventually { (server.metric("identity_guard_open_connections") ?? 99) <= 1 })
            let after = Self.residentMiB()
            #expect(after < baseline + 48, "resident memory \(baseline) MiB before, \(after) MiB after")
            // Every one is counted; the log gets at most ten lines a second, which say how many they stand for.
            #expect(server.metric(#"identity_guard_connections_closed_total{reason="tls_error"}"#) == 10_000)
            let lines = server.logs.events("closing connection after tls error")
            let seconds = Int((ContinuousClock.now - start).components.seconds) + 2
            #expect(!lines.isEmpty && lines.count <= 10 * seconds, "\(lines.count) lines in about \(seconds) s")
            let represented = lines.count + lines.compactMap { $0["suppressed"]?.stringValue.flatMap { Int($0) } }
                .reduce(0, +)
            #expect(represented <= 10_000 && lines.contains { $0["suppressed"] != nil },
                    "\(represented) failed handshakes accounted for in the log")
        }
    }

    /// This process's resident memory (the server runs in it), in MiB.
    static func residentMiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    @Test("a client that sends a request and never reads its answer is closed at the idle timeout")
    func neverReads() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: { $0.idleTimeout = .seconds(1) }) { server in
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { connection.close() }
            try await connection.channel.setOption(ChannelOptions.autoRead, value: false).get()
            let body = Review.allowedUser(uid: "unread")
            try await connection.send(Array(("POST /validate HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n").utf8) + body)
            #expect(await eventually {
                (server.metric("identity_guard_open_connections") ?? 9) == 0
            })
            try await Self.expectStillServing(server)
        }
    }

    @Test("a client that pipelines requests and never reads the answers is not read further once they back up")
    func neverReadsPipelined() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server in
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { connection.close() }
            try await connection.channel.setOption(ChannelOptions.autoRead, value: false).get()
            let body = Review.allowedUser(uid: "flood")
            let request = Array(("POST /validate HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n").utf8) + body
            let batch = ByteBuffer(bytes: Array([[UInt8]](repeating: request, count: 1_000).joined()))
            // Batches of 1,000 pipelined requests (2.6 MB), one at a time, until one is not taken within 2 s.
            var sent = 0
            var stalled = false
            while sent < 60 {
                let written = Locked(false)
                connection.channel.writeAndFlush(batch).whenComplete { _ in written.withLock { $0 = true } }
                guard await eventually(within: .seconds(2), { written.current }) else {
                    stalled = true
                    break
                }
                sent += 1
            }
            #expect(stalled, "the server read all \(sent * 1_000) requests while none of its answers was read")
            // The answers stop: the count stays put.
            let series = #"identity_guard_admission_duration_seconds_count{endpoint="validate"}"#
            // On a loaded machine the server may still be answering what it had read when the client stalled:
            // wait for the count to settle, then it must stay put.
            var answered = server.metric(series) ?? 0
            #expect(await eventually(within: .seconds(15)) {
                let before = server.metric(series) ?? 0
                try? await Task.sleep(for: .milliseconds(500))
                answered = server.metric(series) ?? 0
                return answered == before
            })
            try await Task.sleep(for: .seconds(1))
            #expect(server.metric(series) == answered)
            // Paused, not dropped: the connection stays open until the idle timeout.
            #expect(connection.isOpen)
            try await Self.expectStillServing(server)
        }
    }
}

/// The plain-HTTP metrics port is served by the same stack, with the same guards.
extension ConnectionTests {
    @Test("the metrics port: a half-sent head is cut at the read timeout; over the cap a connection is closed")
    func metricsPortGuards() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: {
            $0.metricsPort = 0
            $0.readTimeout = .seconds(1)
            $0.idleTimeout = .seconds(60)
            $0.maxConnections = 3
        }) { server in
            let port = try #require(server.metricsPort)
            let stalled = try await RawConnection.connect(port: port, tls: nil)
            defer { stalled.close() }
            try await stalled.send("GET /metrics HTTP/1.1\r\nHost: loc")
            #expect(await stalled.waitForClose(within: .seconds(5)), "a half-sent head held the metrics port")
            #expect(server.logs.events(Self.readTimeoutMessage).count == 1)

            // Three connections that each got an answer hold every slot. The port has no open-connections metric
            // to wait on, and the stalled connection's slot is freed just after its client sees the close: a
            // connection refused meanwhile is replaced, and only the refusal below is counted.
            var idle: [RawConnection] = []
            defer { idle.forEach { $0.close() } }
            let held = await eventually(within: .seconds(10)) {
                guard let connection = try? await RawConnection.connect(port: port, tls: nil) else { return false }
                try? await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                if await eventually(within: .seconds(1), { connection.receivedText.hasSuffix("\r\n\r\nok\n") }) {
                    idle.append(connection)
                } else {
                    connection.close()
                }
                return idle.count == 3
            }
            #expect(held, "three connections to the metrics port were not all answered")
            let refusal = "refusing connection: the connection limit is reached"
            let refusalsBefore = server.logs.events(refusal).count
            let refused = try await RawConnection.connect(port: port, tls: nil)
            defer { refused.close() }
            #expect(await refused.waitForClose(within: .seconds(2)))
            // Logged once the refusal is done, which may be just after the client sees the close.
            #expect(await eventually { server.logs.events(refusal).count == refusalsBefore + 1 })
            // The webhook port has its own cap, and the metrics port's refusals are not its metric.
            #expect(server.metric("identity_guard_connections_refused_total") == 0)
            try await Self.expectStillServing(server)
            // Freed slots answer probes again, and admission stays a 404 there.
            idle.forEach { $0.close() }
            var answer = ""
            let answered = await eventually {
                guard let probe = try? await RawConnection.connect(port: port, tls: nil) else { return false }
                defer { probe.close() }
                try? await probe.send("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                _ = await eventually(within: .seconds(1)) { probe.receivedText.hasSuffix("\r\n\r\nok\n") }
                answer = probe.receivedText
                return answer.hasSuffix("\r\n\r\nok\n")
            }
            #expect(answered, "\(answer)")
            #expect(answer.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        }
    }
}
