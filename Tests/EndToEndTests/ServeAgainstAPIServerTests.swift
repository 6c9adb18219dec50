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
       .enabled(if: EnvtestControlPlane.shouldRun, EnvtestControlPlane.skipReason), .timeLimit(.minutes(3)))
struct ServeAgainstAPIServerTests {
    @Test("serve --kubeconfig --claims lease --audit-interval: claims in the apiserver, audit metrics on /metrics")
    func shipped() async throws {
        let plane = try EnvtestScope.plane()
        try await plane.installCRD(try Repository.object(try Repository.kustomize("deploy"),
                                                         kind: "CustomResourceDefinition"))
        try await plane.create("/api/v1/namespaces", ["metadata": ["name": "claims"]])
        let serve = try ServeProcess(plane: plane, arguments: [
            "--claims", "lease", "--claims-namespace", "claims", "--audit-interval", "1s", "--shutdown-delay", "0s",
        ])
        let plain = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = plain.shutdown() }
        func text(_ url: String) async -> String? {
            try? await send(plain, url, method: .GET, contentType: nil).text
        }
        let metricsURL = serve.metricsURL
        #expect(await eventually(within: .seconds(30)) { await text(metricsURL + "/readyz") == "ok\n" }, "\(serve.log)")
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: try serve.clientConfiguration())
        defer { _ = client.shutdown() }
        func review(_ body: [UInt8]) async throws -> JSONValue {
            try await send(client, serve.webhookURL + "/validate", body: body).json
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
        #expect(await serve.exitStatus(within: .seconds(30)) == 0)
        let lines = serve.log
        #expect(lines.contains(#""email_claims":"lease in namespace claims""#))
        #expect(lines.contains(#""msg":"audit finding""#) && lines.contains("cluster:User/audited"))
    }
}
