import IdentityGuardTesting
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import WebhookServer
import SystemSupport
import KubeJSON
import Admission
import IdentityRules

/// The lean HTTP/1.1 responder as a client sees it on the wire: routes, methods, query strings, keep-alive and
/// `Connection: close`, and the read timeout across requests on one connection.
@Suite("HTTP/1.1 on the webhook port")
struct HTTP1ProtocolTests {
    /// One request on a raw TLS connection, as its bytes.
    static func request(_ method: String, _ target: String, version: String = "HTTP/1.1", body: [UInt8] = [],
                        headers: [String] = []) -> [UInt8]
    {
        var head = "\(method) \(target) \(version)\r\nHost: localhost\r\n"
        if !body.isEmpty { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        for header in headers { head += header + "\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    @Test("the apiserver's ?timeout=10s query is ignored; wrong methods get 405 with Allow; unknown paths 404")
    func routes() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server in
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { connection.close() }
            try await connection.send(Self.request("POST", "/validate?timeout=10s",
                                                   body: Review.allowedUser(uid: "with-query")))
            #expect(await eventually { connection.receivedText.contains(#""uid":"with-query""#) })
            #expect(connection.receivedText.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(connection.receivedText.contains("content-type: application/json\r\n"))
            #expect(connection.receivedText.contains("date: \(HTTPDateHeader.now.prefix(5))"))

            for (method, path, allow) in [("GET", "/validate", "POST"), ("PUT", "/mutate", "POST"),
                                          ("POST", "/healthz", "GET"), ("DELETE", "/metrics", "GET")]
            {
                let reply = try await server.send(path, method: .init(rawValue: method), body: nil)
                #expect(reply.status.code == 405, "\(method) \(path)")
                #expect(reply.headers["Allow"] == [allow], "\(method) \(path)")
                #expect(reply.text == "method \(method) not allowed; use \(allow)\n")
            }
            let unknown = try await server.send("/validate/extra", body: Review.allowedUser(uid: "x"))
            #expect(unknown.status == .notFound)
            #expect(unknown.text == "404 page not found\n")
            // None of that was an admission.
            #expect(server.logs.events("admission").count == 1)
        }
    }

    @Test("Expect: 100-continue gets 100 Continue before the body is sent; a refused head gets no 100")
    func expectContinue() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server in
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { connection.close() }
            let body = Review.allowedUser(uid: "continued")
            try await connection.send("POST /validate HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nExpect: 100-continue\r\n\r\n")
            // The body is not sent until the server says so (curl waits up to a second for it, then sends anyway).
            #expect(await eventually { connection.receivedText == "HTTP/1.1 100 Continue\r\n\r\n" })
            try await connection.send(body)
            #expect(await eventually { connection.receivedText.contains(#""uid":"continued""#) })
            #expect(connection.receivedText.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"))

            // A head refused at once (415) is answered by its final status only, once the body arrived.
            let refused = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { refused.close() }
            try await refused.send("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n{}")
            #expect(await eventually { refused.receivedText.contains("\r\n\r\n") })
            #expect(refused.receivedText.hasPrefix("HTTP/1.1 415 Unsupported Media Type\r\n"))
            #expect(!refused.receivedText.contains("100 Continue"))
        }
    }

    @Test("answers are framed by their content-length alone: a review, a HEAD without its body, a parse error's 400")
    func framing() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server in
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { connection.close() }
            try await connection.send(Self.request("POST", "/validate", body: Review.allowedUser(uid: "framed")))
            try await connection.send(Self.request("HEAD", "/healthz"))
            try await connection.send(Self.request("GET", "/healthz"))
            #expect(await eventually { connection.receivedText.components(separatedBy: "HTTP/1.1 ").count == 4 })
            let answers = Array(connection.receivedText.components(separatedBy: "HTTP/1.1 ")[1...])
            #expect(!connection.receivedText.lowercased().contains("transfer-encoding"))
            // Each answer's body is exactly its content-length: the review's, none after HEAD's head, then GET's.
            for (answer, hasBody) in zip(answers, [true, false, true]) {
                let parts = answer.components(separatedBy: "\r\n\r\n")
                #expect(parts.count == 2, "\(answer)")
                let length = parts[0].split(separator: "\r\n").first { $0.hasPrefix("content-length: ") }
                    .flatMap { Int(String($0.dropFirst(16))) }
                #expect(length != nil && length! > 0, "\(parts[0])")
                #expect(parts[1].utf8.count == (hasBody ? length : 0), "\(answer)")
            }
            #expect(answers[0].contains(#""uid":"framed""#))
            #expect(answers[1].hasPrefix("405 Method Not Allowed\r\n") && answers[1].contains("allow: GET\r\n"))
            #expect(answers[2].hasPrefix("200 OK\r\n") && answers[2].hasSuffix("\r\n\r\nok\n"))

            // A request NIO cannot parse gets a 400, framed the same way, and the connection closes.
            let broken = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { broken.close() }
            try await broken.send("NOT HTTP\r\n\r\n")
            #expect(await broken.waitForClose(within: .seconds(5)))
            #expect(broken.receivedText == "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
            // The parse error that ended it is counted and logged once, by the responder.
            let closed = #"identity_guard_connections_closed_total{reason="connection_error"}"#
            #expect(await eventually { server.metric(closed) == 1 })
            let logged = server.logs.events("closing connection after connection error")
            #expect(logged.count == 1)
            #expect(logged.first?["error"] == "invalid HTTP method", "\(logged)")

            // Garbage pipelined behind a review: the review's answer goes out whole, then the 400, then the close.
            let behind = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { behind.close() }
            try await behind.send(Self.request("POST", "/validate", body: Review.allowedUser(uid: "before-garbage"))
                + Array("NOT HTTP\r\n\r\n".utf8))
            #expect(await behind.waitForClose(within: .seconds(30)))
            let pipelined = Array(behind.receivedText.components(separatedBy: "HTTP/1.1 ")[1...])
            #expect(pipelined.count == 2, "\(behind.receivedText)")
            #expect(pipelined.first?.hasPrefix("200 OK\r\n") == true && pipelined.first?
                .contains(#""uid":"before-garbage""#) == true)
            #expect(pipelined.last == "400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        }
    }

    @Test("Connection: close and HTTP/1.0 are answered and closed; HTTP/1.0 keep-alive stays open")
    func connectionClose() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server in
            for (version, header) in [("HTTP/1.1", "Connection: close"), ("HTTP/1.0", nil)] {
                let connection = try await RawConnection.connect(port: server.webhookPort,
                                                                 tls: try server.rawClientTLS())
                defer { connection.close() }
                try await connection.send(Self.request("POST", "/validate", version: version,
                                                       body: Review.allowedUser(uid: "closing"),
                                                       headers: header.map { [$0] } ?? []))
                #expect(await connection.waitForClose(within: .seconds(5)), "\(version) \(header ?? "")")
                #expect(connection.receivedText.hasPrefix("\(version) 200 OK\r\n"))
                #expect(connection.receivedText.contains("connection: close\r\n"))
                #expect(connection.receivedText.contains(#""uid":"closing""#))
            }
            let kept = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { kept.close() }
            for uid in ["kept-1", "kept-2"] {
                try await kept.send(Self.request("POST", "/validate", version: "HTTP/1.0",
                                                 body: Review.allowedUser(uid: uid),
                                                 headers: ["Connection: keep-alive"]))
                #expect(await eventually { kept.receivedText.contains(#""uid":"\#(uid)""#) })
            }
            #expect(kept.receivedText.components(separatedBy: "connection: keep-alive\r\n").count == 3)
            #expect(kept.isOpen)
        }
    }

    @Test("after a complete request, a second one that stalls is cut at the read timeout, counted from its start")
    func readTimeoutOnLaterRequest() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: {
            $0.readTimeout = .seconds(1)
            $0.idleTimeout = .seconds(60)
        }) { server in
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { connection.close() }
            try await connection.send(Self.request("POST", "/validate", body: Review.allowedUser(uid: "first")))
            #expect(await eventually { connection.receivedText.contains(#""uid":"first""#) })
            // Idle for longer than the read timeout (the connection's timer fires with no request in progress),
            // then half a head: cut about one read timeout after that half head, not at once.
            try await Task.sleep(for: .milliseconds(1_300))
            #expect(connection.isOpen, "an idle keep-alive connection was cut by the read timeout")
            let stalled = ContinuousClock.now
            try await connection.send("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-")
            #expect(await connection.waitForClose(within: .seconds(5)))
            let elapsed = ContinuousClock.now - stalled
            #expect(elapsed >= .milliseconds(800), "cut \(elapsed) after the stalled request started")
            #expect(server.logs.events(ConnectionTests.readTimeoutMessage).count == 1)
        }
    }
}

/// Email claims that grant every email after a pause, as the apiserver would, so an answer waits off the event loop.
struct SlowLeaseClaims: EmailClaims {
    var decider: EmailDecider { .apiserver }

    func decideAtOnce(_ claim: EmailClaim) -> EmailDecision? { nil }

    func decide(_ claim: EmailClaim) async -> EmailDecision {
        try? await Task.sleep(for: .milliseconds(300))
        return .granted
    }
}

extension HTTP1ProtocolTests {
    @Test("a pipelined request behind one waiting for email arbitration is answered after it, in order")
    func pipelinedBehindArbitration() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let handler = ReviewCodec(reviewer: AdmissionReviewer(emailClaims: SlowLeaseClaims()))
        let server = try await RunningServer.start(pki: pki, handler: handler)
        do {
            let connection = try await RawConnection.connect(port: server.webhookPort, tls: try server.rawClientTLS())
            defer { connection.close() }
            // A new email (arbitrated, 300 ms), then a denial answered at once, without arbitration: the second answer
            // must wait for the first.
            let claiming = Self.request("POST", "/validate", body: Review.allowedUser(uid: "claims", name: "dora"))
            let instant = Self.request("POST", "/validate", body: Review.deniedUser(uid: "instant"))
            try await connection.send(claiming + instant)
            #expect(await eventually { connection.receivedText.components(separatedBy: "HTTP/1.1 200").count == 3 })
            let text = connection.receivedText
            let first = try #require(text.range(of: #""uid":"claims""#)?.lowerBound)
            let second = try #require(text.range(of: #""uid":"instant""#)?.lowerBound)
            #expect(first < second, "answers out of order: \(text)")
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}

/// The pieces of the lean responder's fast path that can be checked without a server.
@Suite("Fast-path helpers")
struct FastPathHelperTests {
    @Test("log timestamps and Date headers match Foundation's formatters (RFC 3339, IMF-fixdate)")
    func timestamps() {
        let samples: [Int64] = [0, 951_782_400, 951_868_799, 1_709_164_800, 4_102_444_799, 1_795_000_000,
                                1_000_000_000, 2_147_483_647]
        let httpDate = DateFormatter()
        httpDate.locale = Locale(identifier: "en_US_POSIX")
        httpDate.timeZone = TimeZone(identifier: "GMT")
        httpDate.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        for seconds in samples + (0..<200).map({ _ in Int64.random(in: 0..<4_102_444_800) }) {
            let date = Date(timeIntervalSince1970: Double(seconds))
            let time = CivilTime(secondsSince1970: seconds)
            #expect(time.rfc3339 == date.formatted(.iso8601), "\(seconds)")
            #expect(time.imfFixdate == httpDate.string(from: date), "\(seconds)")
        }
    }

    @Test("a per-second text is made once per second and thread, and follows the clock")
    func perSecondText() async throws {
        let second = Locked<Int64>(1_795_000_000)
        let made = Locked(0)
        let text = PerSecondText(clock: { second.withLock { $0 } }) { time in
            made.withLock { $0 += 1 }
            return time.rfc3339
        }
        #expect(text.now == "2026-11-18T11:06:40Z")
        #expect(text.now == "2026-11-18T11:06:40Z")
        #expect(made.withLock { $0 } == 1)
        second.withLock { $0 += 1 }
        #expect(text.now == "2026-11-18T11:06:41Z")
        #expect(text.now == "2026-11-18T11:06:41Z")
        #expect(made.withLock { $0 } == 2)
        // Each thread keeps its own: a new thread makes the same second's text once more.
        let elsewhere = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: text.now) }
        }
        #expect(elsewhere == "2026-11-18T11:06:41Z")
        #expect(made.withLock { $0 } == 3)
        // The log line's time and the Date header read the wall clock.
        let before = CivilTime.nowSecondsSince1970
        let stamp = LineLogHandler.timestamp()
        let date = HTTPDateHeader.now
        let after = CivilTime.nowSecondsSince1970
        let seconds = (before...after).map { CivilTime(secondsSince1970: $0) }
        #expect(seconds.map(\.rfc3339).contains(stamp))
        #expect(seconds.map(\.imfFixdate).contains(date))
    }

    @Test("CPU lists as Linux prints them", arguments: [
        ("0", 1), ("0-1", 2), ("0-3,8,10-11", 7), ("\t0-1\n", 2), ("", 0), ("3-1", nil), ("a", nil), ("1-2-3", nil),
    ] as [(String, Int?)])
    func cpuLists(list: String, count: Int?) {
        #expect(ProcessorAffinity.cpuCount(list: Substring(list)) == count)
    }

    @Test("lines made on an event loop in one turn leave in one write, in order, never over 4,096 bytes")
    func batchedLines() async throws {
        let writes = Locked<[[UInt8]]>([])
        let batcher = EventLoopLineBatcher(output: { bytes in writes.withLock { $0.append(bytes) } })
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let lines = (0..<100).map { Array("line \($0) \(String(repeating: "x", count: 90))\n".utf8) }
        try await loop.submit { for line in lines { batcher.write(line) } }.get()
        #expect(await eventually { writes.withLock { $0.flatMap { $0 } } == lines.flatMap { $0 } })
        let sizes = writes.withLock { $0.map(\.count) }
        #expect(sizes.allSatisfy { $0 <= EventLoopLineBatcher.pipeBufferSize }, "\(sizes)")
        #expect(sizes.count == 3, "9,890 bytes of whole lines take three writes: \(sizes)")

        // A line longer than a batch goes out alone, after what came before it.
        writes.withLock { $0 = [] }
        let long = Array(String(repeating: "y", count: 5_000).utf8) + [10]
        try await loop.submit {
            batcher.write(lines[0])
            batcher.write(long)
            batcher.write(lines[1])
        }.get()
        #expect(await eventually { writes.withLock { $0 } == [lines[0], long, lines[1]] })

        // Off the event loops, each line is written at once.
        writes.withLock { $0 = [] }
        batcher.write(lines[2])
        #expect(writes.withLock { $0 } == [lines[2]])
    }
}
