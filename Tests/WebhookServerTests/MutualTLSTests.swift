import IdentityGuardTesting
import AsyncHTTPClient
import Foundation
import IdentityRules
import NIOHTTP1
import NIOSSL
import Testing
import WebhookServer
import KubeJSON

/// With a client CA configured, only clients presenting a certificate from that CA get an answer.
@Suite("Mutual TLS")
struct MutualTLSTests {
    @Test("a client certificate from the client CA is accepted; none, or one from another CA, is refused")
    func clientCertificates() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let otherPKI = try TestPKI(caName: "some other CA")
        defer { otherPKI.remove() }
        let trusted = try pki.issueClient("kube-apiserver")
        let stranger = try otherPKI.issueClient("kube-apiserver")
        try await RunningServer.with(pki: pki, clientCertificate: trusted, configure: { $0.clientCAFile = pki.caFile }) { server in
            #expect(try await server.review("/validate", Review.allowedUser(uid: "mtls"))
                == Review.answer(Review.v1, ["uid": "mtls", "allowed": true]))

            try await withHTTPClient(try clientConfiguration(trusting: pki)) { anonymous in
                await #expect("a client without a certificate was answered") {
                    _ = try await server.send("/validate", body: Review.allowedUser(uid: "anonymous"), client: anonymous)
                } throws: { isTLSAlert($0, "CERTIFICATE_REQUIRED") }
            }
            try await withHTTPClient(try clientConfiguration(trusting: pki, clientCertificate: stranger)) { client in
                await #expect("a client with another CA's certificate was answered") {
                    _ = try await server.send("/validate", body: Review.allowedUser(uid: "stranger"), client: client)
                } throws: { isTLSAlert($0, "UNKNOWN_CA") }
            }
            // A server certificate is no client certificate either (wrong extended key usage).
            let serverPair = try pki.issueServer("not-a-client")
            try await withHTTPClient(try clientConfiguration(trusting: pki, clientCertificate: serverPair)) { client in
                await #expect("a client presenting a serverAuth-only certificate was answered") {
                    _ = try await server.send("/validate", body: Review.allowedUser(uid: "server-cert"), client: client)
                } throws: { isTLSAlert($0, "UNSUPPORTED_CERTIFICATE") }
            }
            #expect(try await server.review("/validate", Review.allowedUser(uid: "still"))
                == Review.answer(Review.v1, ["uid": "still", "allowed": true]))
        }
    }

    @Test("without a client CA, clients need no certificate")
    func noClientCA() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server async throws in
            #expect(try await server.review("/validate", Review.allowedUser(uid: "plain"))
                == Review.answer(Review.v1, ["uid": "plain", "allowed": true]))
        }
    }

    @Test("an unreadable client CA file stops the server from starting")
    func unreadableClientCA() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        await #expect {
            try await RunningServer.with(pki: pki, configure: {
                $0.clientCAFile = pki.directory.appendingPathComponent("missing-ca.crt").path
            }) { _ in }
        } throws: { error in
            guard let error = error as? ServingCertificateError else { return false }
            return error.code == .unreadable && error.reason.hasPrefix("cannot read the client CA file ")
        }
    }
}

/// Whether `error` is the client's TLS handshake failing on the server's `alert` (BoringSSL's name of it).
private func isTLSAlert(_ error: any Error, _ alert: String) -> Bool {
    guard let error = error as? BoringSSLError else { return false }
    return "\(error)".contains("ALERT_" + alert)
}
