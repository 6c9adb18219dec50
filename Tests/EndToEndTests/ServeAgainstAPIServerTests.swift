import AsyncHTTPClient
import Foundation
import IdentityGuardTesting
import KubeJSON
import NIOHTTP1
import NIOSSL
import Testing

/// The shipped `identity-guard serve` — the binary, wired by WebhookService from its flags — against a real
/// apiserver: Lease claims and the periodic audit as a user turns them on.
@Suite("identity-guard serve, as shipped, against a real apiserver", .envtest, .serialized,
       .enabled(if: EnvtestControlPlane.isAvailable, EnvtestControlPlane.skipReason), .timeLimit(.minutes(3)))
struct ServeAgainstAPIServerTests {
    @Test("serve --kubeconfig --claims lease --audit-interval: claims in the apiserver, audit metrics on /metrics")
    func shipped() async throws {
        let plane = try EnvtestScope.plane()
        try await plane.installCRD(try Repository.object(try Repository.kustomize("deploy"),
                                                         kind: "CustomResourceDefinition"))
        try await plane.create("/api/v1/namespaces", ["metadata": ["name": "claims"]])
        let directory = plane.directory
        let kubeconfig = directory.appendingPathComponent("serve-kubeconfig").path
        try """
            apiVersion: v1
            kind: Config
            current-context: envtest
            clusters:
            - name: envtest
              cluster:
                server: \(plane.server)
                certificate-authority-data: \(Data(plane.caCertificatePEM.utf8).base64EncodedString())
            contexts:
            - name: envtest
              context: {cluster: envtest, user: admin}
            users:
            - name: admin
              user: {token: \(EnvtestControlPlane.adminToken)}

            """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let port = try EnvtestControlPlane.freePort()
        let metricsPort = try EnvtestControlPlane.freePort()
        let output = directory.appendingPathComponent("serve.out")
        let log = directory.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let serve = Process()
        serve.executableURL = Subprocess.identityGuard
        serve.arguments = ["serve", "--dev", "--port", "\(port)", "--metrics-port", "\(metricsPort)",
                           "--kubeconfig", kubeconfig, "--claims", "lease", "--claims-namespace", "claims",
                           "--audit-interval", "1s"]
        serve.standardOutput = try FileHandle(forWritingTo: output)
        serve.standardError = try FileHandle(forWritingTo: log)
        try serve.run()
        defer { if serve.isRunning { serve.terminate() } }

        let plain = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = plain.shutdown() }
        func text(_ url: String) async -> String? {
            try? await send(plain, url, method: .GET, contentType: nil).text
        }
        let metricsURL = "http://127.0.0.1:\(metricsPort)"
        #expect(await eventually(within: .seconds(30)) { await text(metricsURL + "/readyz") == "ok\n" },
                "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let printed = try String(contentsOf: output, encoding: .utf8)
        let caFile = try #require(printed.split(separator: "\n").first { $0.contains("CA certificate: ") }?
            .split(separator: " ").last.map(String.init))
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caFile)
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        defer { _ = client.shutdown() }
        func review(_ body: [UInt8]) async throws -> JSONValue {
            try await send(client, "https://127.0.0.1:\(port)/validate", body: body).json
        }

        let first = try await review(Review.userEmail(name: "shipped-1", email: "shipped@example.com"))
        #expect(first["response"]?["allowed"] == true)
        let lease = try await plane.request(.GET, "/apis/coordination.k8s.io/v1/namespaces/claims/leases")
        #expect(lease.body?["items"]?.arrayValue?.first?["spec"]?["holderIdentity"] == "shipped-1")
        let second = try await review(Review.userEmail(name: "shipped-2", email: "Shipped@example.com"))
        #expect(second["response"]?["status"]?["message"]?.stringValue?
            .hasSuffix(#"already used by User "shipped-1""#) == true)

        try await plane.create("/apis/auth.alauda.io/v1/users", Review.user("audited", [
            "email": "audited@example.com", "state": "zzz",
        ]))
        #expect(await eventually(within: .seconds(20)) {
            await text(metricsURL + "/metrics")?.contains(#"identity_guard_audit_violations{rule="user.state"} 1"#)
                == true
        })
        let metrics = await text(metricsURL + "/metrics") ?? ""
        #expect(metrics.contains("identity_guard_email_claims_total 1"))
        #expect(metrics.contains("identity_guard_email_claim_conflicts_total 1"))
        #expect(metrics.contains("identity_guard_audit_last_run_timestamp_seconds"))
        serve.terminate()
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
        let lines = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(lines.contains(#""email_claims":"lease in namespace claims""#))
        #expect(lines.contains(#""msg":"audit finding""#) && lines.contains("cluster:User/audited"))
    }
}
