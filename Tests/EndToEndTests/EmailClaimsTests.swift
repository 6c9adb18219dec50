import Admission
import ClusterCache
import Foundation
import IdentityGuardTesting
import IdentityRules
import KubeJSON
import MetricsTestKit
import NIOHTTP1
import NIOSSL
import Testing
import WebhookServer

/// Email uniqueness across replicas: two webhook servers, each with its own Users cache and Lease claims, on
/// one real apiserver — the race `deploy/`'s two replicas can run into.
@Suite("Email claims held by the apiserver", .envtest, .serialized,
       .enabled(if: EnvtestControlPlane.shouldRun, EnvtestControlPlane.skipReason), .timeLimit(.minutes(5)))
struct EmailClaimsTests {
    static let namespace = "identity-guard"
    static var leases: String { "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases" }

    /// One replica as `serve --claims lease` wires it: the cache's index for the rules, Leases for new emails.
    final class Replica: Sendable {
        let cache: RunningCache
        let claims: LeaseEmailClaims
        let server: RunningServer
        let metrics: TestMetrics
        private let client: KubernetesClient
        private let claimsTask: Task<Void, any Error>

        init(plane: EnvtestControlPlane, pki: TestPKI, token: String = EnvtestControlPlane.adminToken,
             duration: Duration = .seconds(30), releaseDelay: Duration = .seconds(1)) async throws
        {
            let credentials = try plane.credentials(token: token)
            let index = ClusterEmailIndex()
            cache = try RunningCache(credentials: credentials, index: index)
            client = try KubernetesClient(credentials: credentials)
            metrics = TestMetrics()
            claims = LeaseEmailClaims(client: client, namespace: EmailClaimsTests.namespace, index: index,
                                      duration: duration, releaseDelay: releaseDelay,
                                      metrics: ClaimMetrics(factory: metrics), logger: quietLogger)
            let claims = claims
            claimsTask = Task { try await claims.run() }
            let reviewer = AdmissionReviewer(emailIndex: index, emailArbiter: claims)
            server = try await RunningServer.start(pki: pki, handler: ReviewCodec(reviewer: reviewer))
            #expect(await cache.synced(within: .seconds(30)))
        }

        /// POSTs a User CREATE to /validate: whether it was allowed, and the message.
        func create(_ name: String, email: String, dryRun: Bool = false) async throws
            -> (allowed: Bool, message: String?)
        {
            let body = Review.userEmail(name: name, email: email, dryRun: dryRun)
            let answer = try await server.review("/validate", body)
            return (answer["response"]?["allowed"] == true, answer["response"]?["status"]?["message"]?.stringValue)
        }

        func stop() async {
            try? await server.stop()
            claimsTask.cancel()
            _ = try? await claimsTask.value
            await client.shutdown()
            await cache.stop()
        }
    }

    static func prepare(_ plane: EnvtestControlPlane) async throws {
        if try await plane.request(.GET, "/api/v1/namespaces/\(namespace)").status == 404 {
            try await plane.create("/api/v1/namespaces", ["metadata": ["name": .string(namespace)]])
        }
        let crd = try Repository.object(try Repository.kustomize("deploy"), kind: "CustomResourceDefinition")
        if try await plane.request(.GET, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/users.auth.alauda.io")
            .status != 200
        {
            try await plane.installCRD(crd)
        }
    }

    static func withReplicas(
        _ count: Int = 2,
        token: String = EnvtestControlPlane.adminToken,
        _ body: ([Replica], EnvtestControlPlane) async throws -> Void
    ) async throws {
        let plane = try EnvtestScope.plane()
        try await prepare(plane)
        let pki = try TestPKI()
        var replicas: [Replica] = []
        do {
            for _ in 0..<count { replicas.append(try await Replica(plane: plane, pki: pki, token: token)) }
            try await body(replicas, plane)
        } catch {
            for replica in replicas { await replica.stop() }
            pki.remove()
            throw error
        }
        for replica in replicas { await replica.stop() }
        pki.remove()
    }

    @Test("64 concurrent CREATEs of one email across two replicas: exactly one allowed, the others name it; 20 rounds")
    func race() async throws {
        try await Self.withReplicas { (replicas: [Replica], _: EnvtestControlPlane) async throws in
            for round in 0..<20 {
                let email = "race-\(round)@example.com"
                let answers = try await withThrowingTaskGroup(of: (String, Bool, String?).self) { group in
                    for number in 0..<64 {
                        let replica = replicas[number % 2]
                        let name = "racer-\(round)-\(number)"
                        group.addTask {
                            let spelled = number % 3 == 0 ? email.uppercased() : email
                            let answer = try await replica.create(name, email: spelled)
                            return (name, answer.allowed, answer.message)
                        }
                    }
                    var all: [(String, Bool, String?)] = []
                    for try await answer in group { all.append(answer) }
                    return all
                }
                let winners = answers.filter(\.1).map(\.0)
                #expect(winners.count == 1, "round \(round): \(winners.count) allowed")
                guard let winner = winners.first else { continue }
                for (name, allowed, message) in answers where !allowed {
                    let prefix = #"User.auth.alauda.io "\#(name)" is invalid: spec.email: Duplicate value: "#
                    #expect(message?.hasPrefix(prefix)
                        == true && message?.hasSuffix(#"already used by User "\#(winner)""#) == true,
                            "round \(round): \(name): \(message ?? "nil")")
                }
            }
            let taken = replicas.map { $0.metrics.counterTotal(label: "identity_guard_email_claims_total") }
            let lost = replicas.map { $0.metrics.counterTotal(label: "identity_guard_email_claim_conflicts_total") }
            #expect(taken.reduce(0, +) == 20)
            #expect(lost.reduce(0, +) == 20 * 63)
        }
    }

    @Test("an expired claim is taken over; a dry run claims nothing; a stored User's claim is released")
    func takeoverDryRunRelease() async throws {
        try await Self.withReplicas(1) { (replicas: [Replica], plane: EnvtestControlPlane) async throws in
            let replica = replicas[0]
            // A claim left by a request whose User never appeared, long expired.
            let lease = LeaseEmailClaims.leaseName(for: "ghost@example.com")
            try await plane.create(Self.leases, [
                "metadata": ["name": .string(lease), "labels": ["app.kubernetes.io/managed-by": "identity-guard"]],
                "spec": ["holderIdentity": "ghost", "leaseDurationSeconds": 1,
                         "acquireTime": "2020-01-01T00:00:00.000000Z", "renewTime": "2020-01-01T00:00:00.000000Z"],
            ])
            #expect(try await replica.create("casper", email: "Ghost@example.com").allowed)
            let taken = try await plane.request(.GET, Self.leases + "/" + lease)
            #expect(taken.body?["spec"]?["holderIdentity"] == "casper")

            // A live claim of another name is a duplicate, named.
            let clash = try await replica.create("other", email: "ghost@example.com")
            #expect(!clash.allowed)
            #expect(clash.message?.hasSuffix(#"already used by User "casper""#) == true)

            // A dry run reserves nothing: no Lease.
            #expect(try await replica.create("dry", email: "dry-run@example.com", dryRun: true).allowed)
            let dryLease = LeaseEmailClaims.leaseName(for: "dry-run@example.com")
            let dry = try await plane.request(.GET, Self.leases + "/" + dryLease)
            #expect(dry.status == 404)

            // Once the User is stored (and the release delay has passed), its Lease is deleted; the index holds it.
            try await plane.create("/apis/auth.alauda.io/v1/users",
                                   Review.user("casper", ["email": "ghost@example.com"]))
            #expect(try await eventually(within: .seconds(15)) {
                try await plane.request(.GET, Self.leases + "/" + lease).status == 404
            })
            // An UPDATE keeping its email asks nothing of the apiserver.
            let before = replica.metrics.timers(label: ClaimMetrics.durationLabel).first?.values.count ?? 0
            let update = try await replica.server.review("/validate", Review.userEmail(
                name: "casper", email: "ghost@example.com", operation: "UPDATE"))
            #expect(update["response"]?["allowed"] == true)
            #expect((replica.metrics.timers(label: ClaimMetrics.durationLabel).first?.values.count ?? 0) == before)
        }
    }

    @Test("the apiserver away mid-claim: refused with a clear message, counted, and no stale claim after it returns")
    func apiserverAway() async throws {
        try await Self.withReplicas(1) { (replicas: [Replica], plane: EnvtestControlPlane) async throws in
            let replica = replicas[0]
            plane.stopAPIServer()
            let refused: JSONValue
            do {
                refused = try await replica.server.review("/validate", Review.userEmail(name: "lonely",
                                                                                       email: "lonely@example.com"))
            } catch {
                try await plane.startAPIServer()
                throw error
            }
            try await plane.startAPIServer()
            #expect(refused["response"]?["allowed"] == false)
            #expect(refused["response"]?["status"]?["code"] == 500)
            let message = refused["response"]?["status"]?["message"]?.stringValue ?? ""
            #expect(message.hasPrefix(#"cannot confirm that the email of User "lonely" is unique in the cluster: "#))
            #expect(message.hasSuffix("; refused, the webhook fails closed"))
            #expect(replica.metrics.counterTotal(label: "identity_guard_email_claim_errors_total") == 1)
            let lease = LeaseEmailClaims.leaseName(for: "lonely@example.com")
            #expect(try await eventually(within: .seconds(10)) {
                try await plane.request(.GET, Self.leases + "/" + lease).status == 404
            })
            // Back, the same request is allowed.
            #expect(await eventually(within: .seconds(20)) {
                (try? await replica.create("lonely", email: "lonely@example.com").allowed) == true
            })
        }
    }

    @Test("deploy/'s Role for Leases is enough for the claims")
    func deployRole() async throws {
        let plane = try EnvtestScope.plane()
        try await Self.prepare(plane)
        let objects = try Repository.kustomize("deploy")
        for (kind, path) in [("ClusterRole", "/apis/rbac.authorization.k8s.io/v1/clusterroles"),
                             ("Role", "/apis/rbac.authorization.k8s.io/v1/namespaces/\(Self.namespace)/roles")]
        {
            guard var role = try Repository.object(objects, kind: kind).objectValue else { continue }
            let name = role["metadata"]?["name"]?.stringValue ?? ""
            if try await plane.request(.GET, path + "/" + name).status == 200 { continue }
            role["metadata"] = kind == "Role" ? ["name": .string(name), "namespace": .string(Self.namespace)]
                : ["name": .string(name)]
            try await plane.create(path, .object(role))
        }
        let user = EnvtestControlPlane.limitedUser
        let subject: JSONValue = [["apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": .string(user)]]
        for (path, name, kind, role) in [
            ("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "claims-envtest-read", "ClusterRole",
             "identity-guard"),
            ("/apis/rbac.authorization.k8s.io/v1/namespaces/\(Self.namespace)/rolebindings", "claims-envtest-leases",
             "Role", "identity-guard-email-claims"),
        ] where try await plane.request(.GET, path + "/" + name).status != 200 {
            try await plane.create(path, [
                "metadata": ["name": .string(name)], "subjects": subject,
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(kind), "name": .string(role)],
            ])
        }
        try await Self.withReplicas(1, token: EnvtestControlPlane.limitedToken) {
            (replicas: [Replica], plane: EnvtestControlPlane) async throws in
            let replica = replicas[0]
            #expect(try await replica.create("rbac-1", email: "rbac@example.com").allowed)
            #expect(try await replica.create("rbac-2", email: "rbac@example.com").message?
                .hasSuffix(#"already used by User "rbac-1""#) == true)
            #expect(replica.metrics.counterTotal(label: "identity_guard_email_claim_errors_total") == 0)
            let lease = LeaseEmailClaims.leaseName(for: "rbac@example.com")
            #expect(try await plane.request(.GET, Self.leases + "/" + lease).body?["spec"]?["holderIdentity"]
                == "rbac-1")
        }
    }
}
