import AsyncHTTPClient
import ClusterCache
import Foundation
import IdentityGuardTesting
import KubeJSON
import NIOHTTP1
import Testing

/// A replica that cannot create claim Leases is not ready, and says why; it turns ready once it can.
@Suite("email claims readiness against a real apiserver", .envtest, .serialized,
       .enabled(if: EnvtestControlPlane.shouldRun, EnvtestControlPlane.skipReason), .timeLimit(.minutes(3)))
struct ClaimsReadinessTests {
    @Test("the dry-run probe: writable, namespace missing, forbidden by RBAC — and it stores nothing")
    func probeVerdicts() async throws {
        let plane = try EnvtestScope.plane()
        try await plane.create("/api/v1/namespaces", ["metadata": ["name": "probe-ns"]])
        let admin = try KubernetesClient(credentials: try plane.credentials())
        let limited = try KubernetesClient(credentials: try plane.credentials(token: EnvtestControlPlane.limitedToken))
        do {
            #expect(await LeaseAccessProbe(client: admin, namespace: "probe-ns").check() == .writable)
            #expect(await LeaseAccessProbe(client: admin, namespace: "no-such-ns").check()
                == .notWritable(#"claims namespace "no-such-ns" not found"#))
            let forbidden = await LeaseAccessProbe(client: limited, namespace: "probe-ns").check()
            guard case .notWritable(let reason) = forbidden else {
                Issue.record("a user without RBAC grants was told leases are writable")
                throw TestFailure("probe")
            }
            #expect(reason.hasPrefix(#"cannot create leases in namespace "probe-ns": "#))
            #expect(reason.contains(#"User "\#(EnvtestControlPlane.limitedUser)" cannot create resource "leases""#))
            let leases = try await plane.request(.GET, "/apis/coordination.k8s.io/v1/namespaces/probe-ns/leases")
            #expect(leases.body?["items"]?.arrayValue?.isEmpty == true, "a dry run stored a Lease")
        } catch {
            await admin.shutdown()
            await limited.shutdown()
            throw error
        }
        await admin.shutdown()
        await limited.shutdown()
    }

    @Test("serve without its claims namespace: /readyz 503 with the reason, logged once, a metric; ready once it exists")
    func namespaceCreatedAfterStart() async throws {
        let plane = try EnvtestScope.plane()
        try await plane.installCRD(try Repository.object(try Repository.kustomize("deploy"),
                                                         kind: "CustomResourceDefinition"))
        let serve = try ServeProcess(plane: plane, arguments: [
            "--claims", "lease", "--claims-namespace", "late-claims", "--shutdown-delay", "0s", "--audit-interval", "1s",
        ])
        let plain = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = plain.shutdown() }
        func get(_ path: String) async -> String? {
            try? await send(plain, serve.metricsURL + path, method: .GET, contentType: nil).text
        }
        let unready = "not ready: email-claims (claims namespace \"late-claims\" not found)\n"
        #expect(await eventually(within: .seconds(30)) { await get("/readyz") == unready }, "\(serve.log)")
        #expect(await get("/metrics")?.contains("identity_guard_email_claims_ready 0") == true)
        // Several checks fail meanwhile; the log says it once.
        try await Task.sleep(for: .seconds(2))
        let complaints = serve.log.split(separator: "\n").filter { $0.contains("email claims not possible") }
        #expect(complaints.count == 1, "\(complaints)")
        #expect(complaints.first?.contains(#""reason":"claims namespace \"late-claims\" not found""#) == true)
        // The periodic audit reads the cache, not claims: it runs while the replica is unready for them.
        #expect(await eventually(within: .seconds(10)) {
            let line = await get("/metrics")?.split(separator: "\n")
                .first { $0.hasPrefix("identity_guard_audit_last_run_timestamp_seconds ") }
            return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }.map { $0 > 0 } == true
        }, "the audit waited for the claims namespace")

        try await plane.create("/api/v1/namespaces", ["metadata": ["name": "late-claims"]])
        #expect(await eventually(within: .seconds(20)) { await get("/readyz") == "ok\n" }, "\(serve.log)")
        #expect(await get("/metrics")?.contains("identity_guard_email_claims_ready 1") == true)
        serve.terminate()
        #expect(await serve.exitStatus(within: .seconds(30)) == 0)
    }
}
