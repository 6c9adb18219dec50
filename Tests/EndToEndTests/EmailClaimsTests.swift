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
            let reviewer = AdmissionReviewer(emailIndex: index, emailClaims: claims)
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
        duration: Duration = .seconds(30),
        releaseDelay: Duration = .seconds(1),
        _ body: ([Replica], EnvtestControlPlane) async throws -> Void
    ) async throws {
        let plane = try EnvtestScope.plane()
        try await prepare(plane)
        let pki = try TestPKI()
        var replicas: [Replica] = []
        do {
            for _ in 0..<count {
                replicas.append(try await Replica(plane: plane, pki: pki, token: token, duration: duration,
                                                  releaseDelay: releaseDelay))
            }
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

    // MARK: - A User's whole life, through the apiserver

    static let users = "/apis/auth.alauda.io/v1/users"
    static let lifecycleWebhooks = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"

    /// Registers one ValidatingWebhook per replica for User CREATE and UPDATE: the apiserver asks them all (in
    /// parallel), as it asks every replica behind a Service over time. Waits until both answer.
    static func registerEach(_ replicas: [Replica], on plane: EnvtestControlPlane) async throws {
        let caBundle = Data(replicas[0].server.pki.authority.certificatePEM.utf8).base64EncodedString()
        let webhooks: [JSONValue] = replicas.indices.map { index in
            [
                "name": .string("replica-\(index).identity-guard.test"),
                "clientConfig": ["url": .string(replicas[index].server.baseURL + "/validate"),
                                 "caBundle": .string(caBundle)],
                "rules": [["apiGroups": ["auth.alauda.io"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                           "resources": ["users"]]],
                "sideEffects": "NoneOnDryRun", "admissionReviewVersions": ["v1"], "failurePolicy": "Fail",
                "timeoutSeconds": 10,
            ]
        }
        try await plane.create(lifecycleWebhooks, ["metadata": ["name": "lifecycle"], "webhooks": .array(webhooks)])
        let before = replicas.map { $0.server.requestCount }
        let probe = Review.user("registration-probe", ["email": "probe@lifecycle.example"])
        let called = try await eventually(within: .seconds(30)) {
            _ = try await plane.request(.POST, users + "?dryRun=All", body: probe)
            return zip(replicas, before).allSatisfy { $0.server.requestCount > $1 }
        }
        guard called else { throw TestFailure("the apiserver never called both registered webhooks") }
    }

    /// CREATE through the apiserver (both webhooks asked): the status and the apiserver's message.
    static func create(_ plane: EnvtestControlPlane, _ name: String, email: String) async throws
        -> (status: Int, message: String?)
    {
        let reply = try await plane.request(.POST, users, body: Review.user(name, ["email": .string(email)]))
        return (reply.status, reply.body?["message"]?.stringValue)
    }

    @Test("deleted, then re-created under another name within a second: allowed once both watches show it gone")
    func deleteThenRecreate() async throws {
        try await Self.withReplicas(2, duration: .seconds(20), releaseDelay: .seconds(5)) {
            (replicas: [Replica], plane: EnvtestControlPlane) async throws in
            try await Self.registerEach(replicas, on: plane)
            #expect(try await Self.create(plane, "alice", email: "alice@lifecycle.example").status == 201)
            #expect(try await plane.request(.DELETE, Self.users + "/alice").status == 200)
            // Within the release delay and far within the claim's 20 s: the claim is void, not a holder.
            var last: (status: Int, message: String?) = (0, nil)
            #expect(try await eventually(within: .seconds(3)) {
                last = try await Self.create(plane, "alice-again", email: "Alice@lifecycle.example")
                return last.status == 201
            }, "\(last)")
            let lease = LeaseEmailClaims.leaseName(for: "alice@lifecycle.example")
            let holder = try await plane.request(.GET, Self.leases + "/" + lease).body?["spec"]?["holderIdentity"]
            #expect(holder == nil || holder == "alice-again", "the claim is alice-again's or released")
            let voided = replicas.map { $0.metrics.counterTotal(label: "identity_guard_email_claims_voided_total") }
            #expect(voided.reduce(0, +) >= 1)
            // Still one email, one User: a third name is refused, naming the living holder.
            let third = try await Self.create(plane, "alice-third", email: "alice@lifecycle.example")
            #expect(third.status == 403)
            #expect(third.message?.contains(#"already used by User "alice-again""#) == true, "\(third)")
            _ = try await plane.request(.DELETE, Self.lifecycleWebhooks + "/lifecycle")
        }
    }

    @Test("email changed, then the old email reused by a new User: allowed once both watches show the change")
    func emailChangeThenReuse() async throws {
        try await Self.withReplicas(2, duration: .seconds(20), releaseDelay: .seconds(5)) {
            (replicas: [Replica], plane: EnvtestControlPlane) async throws in
            try await Self.registerEach(replicas, on: plane)
            #expect(try await Self.create(plane, "bob", email: "bob-old@lifecycle.example").status == 201)
            let stored = try #require(try await plane.request(.GET, Self.users + "/bob").body?.objectValue)
            var changed = stored
            changed["spec"] = ["email": "bob-new@lifecycle.example"]
            #expect(try await plane.request(.PUT, Self.users + "/bob", body: .object(changed)).status == 200)
            var last: (status: Int, message: String?) = (0, nil)
            #expect(try await eventually(within: .seconds(3)) {
                last = try await Self.create(plane, "carol", email: "bob-old@lifecycle.example")
                return last.status == 201
            }, "\(last)")
            // bob keeps his new email.
            let dave = try await Self.create(plane, "dave", email: "bob-new@lifecycle.example")
            #expect(dave.status == 403 && dave.message?.contains(#"already used by User "bob""#) == true, "\(dave)")
            _ = try await plane.request(.DELETE, Self.lifecycleWebhooks + "/lifecycle")
        }
    }

    @Test("no claim Lease is left once every User it was for is stored or gone, and no claim stays tracked")
    func nothingLeft() async throws {
        try await Self.withReplicas(2, duration: .seconds(6), releaseDelay: .seconds(2)) {
            (replicas: [Replica], plane: EnvtestControlPlane) async throws in
            try await Self.registerEach(replicas, on: plane)
            #expect(try await Self.create(plane, "kept", email: "kept@left.example").status == 201)
            #expect(try await Self.create(plane, "gone", email: "gone@left.example").status == 201)
            #expect(try await plane.request(.DELETE, Self.users + "/gone").status == 200)
            // A claim whose User never appears (refused later in the chain; asked of a replica directly).
            #expect(try await replicas[0].create("never", email: "never@left.example").allowed)
            let selector = "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Didentity-guard"
            func holders() async throws -> [String] {
                let items = try await plane.request(.GET, Self.leases + selector).body?["items"]?.arrayValue ?? []
                // This test's own claims: the suite's other tests leave claims of Users never stored, which
                // expire in their own time.
                return items.compactMap { $0["spec"]?["holderIdentity"]?.stringValue }
                    .filter { ["kept", "gone", "never"].contains($0) }.sorted()
            }
            // Stored or gone: released within the release delay (and the watch).
            var left: [String] = []
            #expect(try await eventually(within: .seconds(2 + 3)) {
                left = try await holders()
                return left == ["never"]
            }, "claim Leases left: \(left)")
            // Never stored: it holds until its duration is over, then the next sweep (every half duration) deletes it.
            #expect(try await eventually(within: .seconds(6 + 3 + 4)) {
                left = try await holders()
                return left.isEmpty
            }, "claim Leases left: \(left)")
            #expect(await eventually(within: .seconds(10)) { replicas.allSatisfy { $0.claims.grantedCount == 0 } })
            _ = try await plane.request(.DELETE, Self.lifecycleWebhooks + "/lifecycle")
        }
    }
}
