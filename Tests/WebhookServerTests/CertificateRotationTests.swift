import IdentityGuardTesting
import AsyncHTTPClient
import Foundation
import IdentityRules
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing
import WebhookServer
import KubeJSON

/// The serving certificate is swapped without a restart when its files change (cert-manager), for new
/// handshakes only; a broken new pair is refused and the old one kept.
@Suite("Certificate rotation")
struct CertificateRotationTests {
    /// Waits until a fresh handshake presents `expected`.
    static func waitUntilPresented(_ expected: CertificateAuthority.Issued, by server: RunningServer,
                                   within timeout: Duration = .seconds(5)) async throws -> Bool
    {
        let der = try expected.der
        return try await eventually(within: timeout) { try await server.presentedCertificate() == der }
    }

    static func expiryGauge(_ server: RunningServer) async throws -> Double? {
        let metrics = try await server.send("/metrics", method: .GET, body: nil, contentType: nil)
        return PrometheusText(metrics.text).value("identity_guard_certificate_expiry_timestamp_seconds")
    }

    static func notValidAfter(_ pair: CertificateAuthority.Issued) throws -> Double {
        Double(try pair.nioCertificate.notValidAfter)
    }

    @Test("files replaced by rename: new handshakes get the new pair, keep-alive connections and in-flight requests carry on")
    func renameSwap() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let pairA = try pki.issueServer("identity-guard-a", validity: .seconds(86_400 * 30))
        let pairB = try pki.issueServer("identity-guard-b", validity: .seconds(86_400 * 10))
        let files = try pki.install(pairA)
        let connections = NIOLockedValueBox(0)
        var clientConfiguration = try clientConfiguration(trusting: pki)
        clientConfiguration.http1_1ConnectionDebugInitializer = { channel in
            connections.withLockedValue { $0 += 1 }
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        try await RunningServer.with(pki: pki, certificateFile: files.certificate, privateKeyFile: files.key) { server in
            try await withHTTPClient(clientConfiguration) { client in
                #expect(try await server.presentedCertificate() == pairA.der)
                let expiryA = try Self.notValidAfter(pairA)
                #expect(try await Self.expiryGauge(server) == expiryA)
                #expect(try await server.review("/validate", Review.allowedUser(uid: "before"), client: client)
                    == Review.answer(Review.v1, ["uid": "before", "allowed": true]))

                // A request in flight across the swap: the head and half of the body now, the rest afterwards.
                let body = Review.allowedUser(uid: "in-flight")
                let (parts, continuation) = AsyncStream<ByteBuffer>.makeStream()
                var request = HTTPClientRequest(url: server.baseURL + "/validate")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .stream(parts, length: .known(Int64(body.count)))
                continuation.yield(ByteBuffer(bytes: body[..<(body.count / 2)]))
                let inFlight = Task { try await send(client, request) }

                try pki.install(pairB)
                let swapped = try await Self.waitUntilPresented(pairB, by: server)
                #expect(swapped, "a new handshake still presents the old certificate")

                continuation.yield(ByteBuffer(bytes: body[(body.count / 2)...]))
                continuation.finish()
                let reply = try await inFlight.value
                #expect(reply.status == .ok)
                #expect(try reply.json == Review.answer(Review.v1, ["uid": "in-flight", "allowed": true]))

                // The keep-alive connection made before the swap is still the one in use.
                #expect(try await server.review("/validate", Review.allowedUser(uid: "after"), client: client)
                    == Review.answer(Review.v1, ["uid": "after", "allowed": true]))
                #expect(connections.withLockedValue { $0 } == 1, "the swap dropped the keep-alive connection")
                let expiryB = try Self.notValidAfter(pairB)
                #expect(try await Self.expiryGauge(server) == expiryB)
                #expect(server.logs.events("serving certificate reloaded").count == 1)

                // A brand-new client trusts the new certificate too.
                try await withHTTPClient(try IdentityGuardTesting.clientConfiguration(trusting: pki)) { fresh async throws in
                    #expect(try await server.send("/healthz", method: .GET, contentType: nil, client: fresh).text == "ok\n")
                }
            }
        }
    }

    @Test(
        "Kubernetes' atomic ..data symlink swap is noticed",
        arguments: [Duration.milliseconds(200), .seconds(600)]
    )
    func symlinkSwap(pollInterval: Duration) async throws {
        #if !os(Linux)
        // Without inotify only polling notices changes.
        if pollInterval > .seconds(10) { return }
        #endif
        let pki = try TestPKI()
        defer { pki.remove() }
        let pairA = try pki.issueServer("identity-guard-a")
        let pairB = try pki.issueServer("identity-guard-b")
        let fileManager = FileManager.default
        let volume = pki.directory.appendingPathComponent("secret-volume", isDirectory: true)
        try fileManager.createDirectory(at: volume, withIntermediateDirectories: true)
        func writeVersion(_ name: String, _ pair: CertificateAuthority.Issued) throws {
            let folder = volume.appendingPathComponent(name, isDirectory: true)
            try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(pair.certificatePEM.utf8).write(to: folder.appendingPathComponent("tls.crt"))
            try Data(pair.privateKeyPEM.utf8).write(to: folder.appendingPathComponent("tls.key"))
        }
        try writeVersion("..2026_11_24_05_00_00.000000001", pairA)
        try fileManager.createSymbolicLink(atPath: volume.appendingPathComponent("..data").path,
                                           withDestinationPath: "..2026_11_24_05_00_00.000000001")
        for file in ["tls.crt", "tls.key"] {
            try fileManager.createSymbolicLink(atPath: volume.appendingPathComponent(file).path,
                                               withDestinationPath: "..data/\(file)")
        }
        try await RunningServer.with(
            pki: pki,
            certificateFile: volume.appendingPathComponent("tls.crt").path,
            privateKeyFile: volume.appendingPathComponent("tls.key").path,
            configure: { $0.certificatePollInterval = pollInterval }
        ) { server in
            #expect(try await server.presentedCertificate() == pairA.der)
            // What the kubelet does: write the new version, point a temporary link at it, rename it over ..data.
            try writeVersion("..2026_11_24_06_00_00.000000002", pairB)
            let temporaryLink = volume.appendingPathComponent("..data_tmp").path
            try fileManager.createSymbolicLink(atPath: temporaryLink, withDestinationPath: "..2026_11_24_06_00_00.000000002")
            try TestPKI.rename(from: temporaryLink, to: volume.appendingPathComponent("..data").path)
            try fileManager.removeItem(at: volume.appendingPathComponent("..2026_11_24_05_00_00.000000001"))

            #expect(try await Self.waitUntilPresented(pairB, by: server), "the ..data swap was not noticed")
            #expect(try await server.review("/validate", Review.allowedUser(uid: "after"))
                == Review.answer(Review.v1, ["uid": "after", "allowed": true]))
        }
    }

    @Test("a new pair whose key does not match is refused: the old certificate stays")
    func mismatchedPairRefused() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let pairA = try pki.issueServer("identity-guard-a")
        let pairB = try pki.issueServer("identity-guard-b")
        let pairC = try pki.issueServer("identity-guard-c")
        let files = try pki.install(pairA)
        try await RunningServer.with(pki: pki, certificateFile: files.certificate, privateKeyFile: files.key) { server in
            let refusal = "certificate reload refused; keeping the current certificate"
            // B's certificate with C's key.
            try pki.install(certificatePEM: pairB.certificatePEM, keyPEM: pairC.privateKeyPEM)
            let before = server.logs.events(refusal).count
            #expect(await eventually { server.logs.events(refusal).count > before }, "the broken pair was not examined")
            #expect(try await server.presentedCertificate() == pairA.der)
            #expect(try await server.review("/validate", Review.allowedUser(uid: "kept"))
                == Review.answer(Review.v1, ["uid": "kept", "allowed": true]))
            #expect(server.logs.events("serving certificate reloaded").isEmpty)
            #expect(server.server.readiness.isReady)

            // Garbage instead of a key: refused as well.
            try pki.install(certificatePEM: pairB.certificatePEM, keyPEM: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
            let again = server.logs.events(refusal).count
            #expect(await eventually { server.logs.events(refusal).count > again })
            #expect(try await server.presentedCertificate() == pairA.der)

            // Fixing the files afterwards is picked up.
            try pki.install(pairB)
            #expect(try await Self.waitUntilPresented(pairB, by: server))
        }
    }
}
