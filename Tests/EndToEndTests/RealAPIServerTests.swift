import Admission
import ClusterCache
import Foundation
import NIOHTTP1
import NIOSSL
import IdentityGuardTesting
import IdentityRules
import KubeJSON
import Testing
import WebhookServer

/// identity-guard against a real kube-apiserver and etcd (envtest): the CRD and both webhook configurations
/// applied from `deploy/` (with `url:` pointing at the test server and the test CA as `caBundle`), requests made
/// as kubectl makes them, and the Users cache following the real list/watch protocol.
@Suite("Through a real kube-apiserver", .envtest, .serialized, .enabled(if: EnvtestControlPlane.shouldRun,
                                                                       EnvtestControlPlane.skipReason),
       .timeLimit(.minutes(5)))
struct RealAPIServerTests {
    static let users = "/apis/auth.alauda.io/v1/users"

    /// The CRD, the ClusterRole and both webhook configurations as `deploy/` renders them.
    static let deploy = Result { try Repository.kustomize("deploy") }

    static func user(_ name: String, _ spec: JSONValue) -> JSONValue {
        ["apiVersion": "auth.alauda.io/v1", "kind": "User", "metadata": ["name": .string(name)], "spec": spec]
    }

    /// Registers deploy/'s webhook configurations with `url:` to `server` and the test CA, then waits until the
    /// apiserver calls them (its configuration cache takes a moment).
    static func register(_ server: RunningServer, on plane: EnvtestControlPlane) async throws {
        let caBundle = Data(server.pki.authority.certificatePEM.utf8).base64EncodedString()
        for (kind, path) in [("ValidatingWebhookConfiguration", "validatingwebhookconfigurations"),
                             ("MutatingWebhookConfiguration", "mutatingwebhookconfigurations")]
        {
            guard var configuration = try Repository.object(try deploy.get(), kind: kind).objectValue,
                var webhooks = configuration["webhooks"]?.arrayValue
            else { throw TestFailure("deploy/ has no \(kind)") }
            for index in webhooks.indices {
                guard var webhook = webhooks[index].objectValue,
                    let service = webhook["clientConfig"]?["service"]
                else { continue }
                let endpoint = service["path"]?.stringValue ?? ""
                webhook["clientConfig"] = ["url": .string(server.baseURL + endpoint), "caBundle": .string(caBundle)]
                webhooks[index] = .object(webhook)
            }
            configuration["webhooks"] = .array(webhooks)
            try await plane.create("/apis/admissionregistration.k8s.io/v1/\(path)", .object(configuration))
        }
        let probe = user("registration-probe", ["email": "probe@example.com", "state": "sleeping"])
        let called = try await eventually(within: .seconds(30)) {
            let reply = try await plane.request(.POST, users + "?dryRun=All", body: probe)
            return reply.status == 403
                && reply.body?["message"]?.stringValue?.contains("validate.identity-guard.alauda.io") == true
        }
        guard called else { throw TestFailure("the apiserver never called the registered webhook") }
    }

    /// Removes the webhook configurations, so that later tests do not call a stopped server.
    static func unregister(on plane: EnvtestControlPlane) async {
        for path in ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"] {
            _ = try? await plane.request(.DELETE, "/apis/admissionregistration.k8s.io/v1/\(path)/identity-guard")
        }
        // The apiserver's configuration cache lets go of them within a moment.
        _ = try? await eventually(within: .seconds(30)) {
            try await plane.request(.POST, users + "?dryRun=All",
                                    body: user("unregister-probe", ["email": "u@example.com", "state": "zzz"])).status
                == 201
        }
    }

    /// Installs the users CRD from deploy/ (once per suite).
    static func installCRD(on plane: EnvtestControlPlane) async throws {
        let crd = try Repository.object(try deploy.get(), kind: "CustomResourceDefinition")
        if try await plane.request(.GET, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                                   + (crd["metadata"]?["name"]?.stringValue ?? "")).status == 200 { return }
        try await plane.installCRD(crd)
    }

    /// The webhook as `serve` wires it (one index for the rules and the claims, readiness waiting for the first
    /// list), reading Users from the control plane with the admin token.
    static func withWebhook(
        on plane: EnvtestControlPlane,
        configuration: RuleConfiguration = .defaults,
        _ body: (RunningServer, RunningCache) async throws -> Void
    ) async throws {
        let credentials = try plane.credentials()
        let index = ClusterEmailIndex()
        let readiness = ReadinessState()
        readiness.set("cluster-cache", ready: false)
        let cache = try RunningCache(credentials: credentials, index: index) { _, first in
            if first { readiness.set("cluster-cache", ready: true) }
        }
        let pki = try TestPKI()
        let reviewer = AdmissionReviewer(engine: RuleEngine(configuration: configuration), emailIndex: index,
                                         emailClaims: index)
        let server: RunningServer
        do {
            server = try await RunningServer.start(pki: pki, handler: ReviewCodec(reviewer: reviewer),
                                                   readiness: readiness)
        } catch {
            await cache.stop()
            pki.remove()
            throw error
        }
        do {
            try await body(server, cache)
        } catch {
            await unregister(on: plane)
            try? await server.stop()
            await cache.stop()
            pki.remove()
            throw error
        }
        await unregister(on: plane)
        try await server.stop()
        await cache.stop()
        pki.remove()
    }

    /// The message the apiserver gives a client for a denial by the validating webhook.
    static func denial(_ reply: (status: Int, body: JSONValue?)) -> String? {
        guard reply.status == 403 else { return nil }
        return reply.body?["message"]?.stringValue
    }

    @Test("the CRD absent at start: the cache waits, and syncs once the CRD from deploy/ is installed")
    func crdAbsentAtStart() async throws {
        let plane = try EnvtestScope.plane()
        let credentials = try plane.credentials()
        let cache = try RunningCache(credentials: credentials)
        do {
            try await Task.sleep(for: .seconds(1))
            #expect(cache.syncs.isEmpty)
            try await Self.installCRD(on: plane)
            #expect(await cache.synced(within: .seconds(30)))
            #expect(cache.syncs.first?.users == 0)
        } catch {
            await cache.stop()
            throw error
        }
        await cache.stop()
    }

    @Test("rules deny through the apiserver on create, update, patch and dry run; the mutating patch is stored")
    func rulesAndMutations() async throws {
        let plane = try EnvtestScope.plane()
        try await Self.installCRD(on: plane)
        // Stored before the webhook exists: the cache must list it at start.
        try await plane.create(Self.users, Self.user("early", ["email": "early@example.com"]))
        try await Self.withWebhook(on: plane) { server, cache in
            #expect(await cache.synced(within: .seconds(30)))
            #expect(cache.index.userNames(forNormalizedEmail: "early@example.com") == ["early"])
            #expect(try await eventually { try await server.send("/readyz", method: .GET).status == .ok })
            try await Self.register(server, on: plane)

            // CREATE: the apiserver's own error wraps ours.
            let bad = try await plane.request(.POST, Self.users, body: Self.user("bad", [
                "email": "bad@example.com", "state": "sleeping", "groups": ["a", "a"],
            ]))
            #expect(Self.denial(bad) == #"admission webhook "validate.identity-guard.alauda.io" denied the "#
                + #"request: User.auth.alauda.io "bad" is invalid: [spec.groups[1]: Duplicate value: "a", "#
                + #"spec.state: Unsupported value: "sleeping": supported values: "active", "disabled", "locked", "#
                + #""invalid"]"#)
            #expect(try await plane.request(.GET, Self.users + "/bad").status == 404)

            // A duplicate email, in another case, is denied naming the User that holds it.
            let twin = try await plane.request(.POST, Self.users,
                                               body: Self.user("twin", ["email": "EARLY@example.com"]))
            #expect(Self.denial(twin)?.hasSuffix(#"spec.email: Duplicate value: "EARLY@example.com": "#
                + #"already used by User "early""#) == true)

            // Dry run: denied the same way, and a valid one is answered but not stored and reserves nothing.
            let dry = try await plane.request(.POST, Self.users + "?dryRun=All",
                                              body: Self.user("dry", ["email": "dry@example.com", "state": "zzz"]))
            #expect(Self.denial(dry)?.contains(#"spec.state: Unsupported value: "zzz""#) == true)
            let dryValid = try await plane.request(.POST, Self.users + "?dryRun=All",
                                                   body: Self.user("dry", ["email": "dry@example.com"]))
            #expect(dryValid.status == 201)
            #expect(try await plane.request(.GET, Self.users + "/dry").status == 404)
            #expect(cache.index.reservationCount == 0)

            // The mutating webhook's patch is what is stored: passwords gone, is_disabled filled from state.
            let created = try await plane.create(Self.users, Self.user("carol", [
                "email": "carol@example.com", "password": "hunter2", "state": "disabled",
            ]))
            #expect(created["spec"]?["password"] == nil)
            #expect(created["spec"]?["is_disabled"] == true)
            let stored = try #require(try await plane.request(.GET, Self.users + "/carol").body)
            #expect(stored["spec"]?.objectValue?.keys.sorted() == ["email", "is_disabled", "state"])
            #expect(stored["spec"]?["state"] == "disabled")
            #expect(stored["spec"]?["is_disabled"] == true)
            // Re-invocation on what was stored yields no patch.
            let again = try await server.review("/mutate", Review.body(name: "carol", object: stored))
            #expect(again["response"]?["patch"] == nil)
            #expect(again["response"]?["allowed"] == true)

            // UPDATE (PUT) and PATCH go through the webhook too.
            var changed = try #require(stored.objectValue)
            changed["spec"] = ["email": "carol@example.com", "state": "disabled", "is_disabled": true,
                               "webhookUrl": "http://insecure.example.com"]
            let put = try await plane.request(.PUT, Self.users + "/carol", body: .object(changed))
            #expect(Self.denial(put) == #"admission webhook "validate.identity-guard.alauda.io" denied the "#
                + #"request: User.auth.alauda.io "carol" is invalid: spec.webhookUrl: Invalid value: must be an "#
                + "absolute https URL")
            let patch = try await plane.request(.PATCH, Self.users + "/carol",
                                                body: ["spec": ["is_disabled": false]],
                                                contentType: "application/merge-patch+json")
            #expect(Self.denial(patch)?.contains("spec.is_disabled: Invalid value: false") == true)

            // The cache follows: carol is indexed; once she is deleted her email is free for another name.
            #expect(await eventually(within: .seconds(10)) { cache.index.containsUser(named: "carol") })
            #expect(try await plane.request(.DELETE, Self.users + "/carol").status == 200)
            #expect(await eventually(within: .seconds(10)) { !cache.index.containsUser(named: "carol") })
            try await plane.create(Self.users, Self.user("carol-2", ["email": "Carol@example.com"]))
        }
    }

    @Test("exemptions through the apiserver: by requester, by stored label on UPDATE, a mutation left undone")
    func exemptions() async throws {
        let plane = try EnvtestScope.plane()
        try await Self.installCRD(on: plane)
        // The limited user may write Users (as an installer's service account would).
        try await plane.create("/apis/rbac.authorization.k8s.io/v1/clusterroles", [
            "metadata": ["name": "user-writer"],
            "rules": [["apiGroups": ["auth.alauda.io"], "resources": ["users"],
                       "verbs": ["create", "update", "get", "list"]]],
        ])
        try await plane.create("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", [
            "metadata": ["name": "user-writer"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "user-writer"],
            "subjects": [["kind": "User", "name": .string(EnvtestControlPlane.limitedUser)]],
        ])
        let configuration = try RuleConfiguration(document: [
            "exemptions": [
                ["name": "installer", "rules": ["user.state"], "requesters": .array([
                    .string(EnvtestControlPlane.limitedUser)])],
                ["name": "frozen", "rules": ["user.state"], "labels": ["identity-guard.io/exempt": "true"]],
                ["name": "legacy", "rules": ["user.password-deprecated"], "users": ["legacy-*"]],
            ],
        ])
        try await Self.withWebhook(on: plane, configuration: configuration) { server, _ in
            try await Self.register(server, on: plane)
            let sleepy = Self.user("sleepy", ["email": "sleepy@example.com", "state": "sleeping"])
            // The installer's request is exempted and stored; the admin's identical one is refused.
            let asInstaller = try await plane.request(.POST, Self.users, body: sleepy,
                                                      token: EnvtestControlPlane.limitedToken)
            #expect(asInstaller.status == 201, "\(String(describing: asInstaller.body))")
            #expect(asInstaller.body?["spec"]?["state"] == "sleeping")
            let asAdmin = try await plane.request(.POST, Self.users,
                                                  body: Self.user("sleepy2", ["email": "s2@example.com",
                                                                              "state": "sleeping"]))
            #expect(asAdmin.status == 403)
            #expect(Self.denial(asAdmin)?.contains("spec.state: Unsupported value: \"sleeping\"") == true)

            // Labels are read from the stored object on UPDATE: adding the label in the same request does not
            // exempt it; a User stored with the label may then be updated to the state.
            var plain = try #require(try await plane.create(Self.users, Self.user("plain", [
                "email": "plain@example.com", "state": "active"])).objectValue)
            plain["metadata"] = (plain["metadata"] ?? [:]).adding("labels", ["identity-guard.io/exempt": "true"])
            plain["spec"] = ["email": "plain@example.com", "state": "sleeping"]
            let selfExempting = try await plane.request(.PUT, Self.users + "/plain", body: .object(plain))
            #expect(selfExempting.status == 403, "\(String(describing: selfExempting.body))")
            var frozen = Self.user("frozen", ["email": "frozen@example.com", "state": "active"])
            frozen = frozen.adding("metadata", ["name": "frozen", "labels": ["identity-guard.io/exempt": "true"]])
            var stored = try #require(try await plane.create(Self.users, frozen).objectValue)
            stored["spec"] = ["email": "frozen@example.com", "state": "sleeping"]
            let updated = try await plane.request(.PUT, Self.users + "/frozen", body: .object(stored))
            #expect(updated.status == 200, "\(String(describing: updated.body))")
            #expect(updated.body?["spec"]?["state"] == "sleeping")

            // The mutating webhook leaves legacy-* passwords alone; anyone else's is scrubbed.
            let legacy = try await plane.create(Self.users, Self.user("legacy-1", [
                "email": "legacy@example.com", "password": "kept-for-migration"]))
            #expect(legacy["spec"]?["password"] == "kept-for-migration")
            let scrubbed = try await plane.create(Self.users, Self.user("fresh", [
                "email": "fresh@example.com", "password": "hunter2"]))
            #expect(scrubbed["spec"]?["password"] == nil)

            // Counted and logged where they changed an outcome.
            #expect(server.metric(#"identity_guard_exemptions_total{exemption="installer",rule="user.state"}"#) == 1)
            #expect(server.metric(#"identity_guard_exemptions_total{exemption="frozen",rule="user.state"}"#) == 1)
            let legacyCount = server.metric(
                #"identity_guard_exemptions_total{exemption="legacy",rule="user.password-deprecated"}"#)
            #expect((legacyCount ?? 0) >= 1)
            let exempted = server.logs.events("admission").compactMap { $0["exempted"]?.stringValue }
            #expect(exempted.contains("installer:user.state"))
            #expect(exempted.contains("legacy:user.password-deprecated"))
        }
        _ = try? await plane.request(.DELETE, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/user-writer")
        _ = try? await plane.request(.DELETE, "/apis/rbac.authorization.k8s.io/v1/clusterroles/user-writer")
    }

    @Test("faults: a compaction forces 410 and a relist; an apiserver restart is survived; the index is exact")
    func faults() async throws {
        let plane = try EnvtestScope.plane()
        try await Self.installCRD(on: plane)
        let credentials = try plane.credentials()
        let cache = try RunningCache(credentials: credentials, timing: RunningCache.timing(watchTimeoutSeconds: 2))
        do {
            #expect(await cache.synced(within: .seconds(30)))
            try await plane.create(Self.users, Self.user("fault-1", ["email": "fault-1@example.com"]))
            #expect(await eventually(within: .seconds(10)) { cache.index.containsUser(named: "fault-1") })
            // Other writes move etcd's revision past the cache's resourceVersion; compaction then makes it too old.
            for number in 0..<3 {
                try await plane.create("/api/v1/namespaces", ["metadata": ["name": .string("compact-\(number)")]])
            }
            try await plane.compact()
            #expect(await eventually(within: .seconds(20)) { cache.relists >= 1 })
            #expect(await eventually(within: .seconds(20)) { cache.syncs.count >= 2 })

            // The apiserver goes away and comes back: the watch reconnects and the index catches up exactly.
            try await plane.restartAPIServer(downtime: .seconds(1))
            try await plane.create(Self.users, Self.user("fault-2", ["email": "fault-2@example.com"]))
            #expect(try await plane.request(.DELETE, Self.users + "/fault-1").status == 200)
            #expect(await eventually(within: .seconds(30)) {
                cache.index.containsUser(named: "fault-2") && !cache.index.containsUser(named: "fault-1")
            })
            let listed = try #require(try await plane.request(.GET, Self.users).body?["items"]?.arrayValue)
            #expect(cache.index.userCount == listed.count)
        } catch {
            await cache.stop()
            throw error
        }
        await cache.stop()
    }

    @Test("deploy/'s ClusterRole is enough for the cache, and nothing broader is needed")
    func deployRBAC() async throws {
        let plane = try EnvtestScope.plane()
        try await Self.installCRD(on: plane)
        let credentials = try plane.credentials(token: EnvtestControlPlane.limitedToken)
        // Without a binding the limited user is forbidden to list.
        let forbidden = try await plane.request(.GET, Self.users, token: EnvtestControlPlane.limitedToken)
        #expect(forbidden.status == 403)
        let role = try Repository.object(try Self.deploy.get(), kind: "ClusterRole", name: "identity-guard")
        try await plane.create("/apis/rbac.authorization.k8s.io/v1/clusterroles", role)
        try await plane.create("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", [
            "metadata": ["name": "identity-guard-envtest"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "identity-guard"],
            "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                          "name": .string(EnvtestControlPlane.limitedUser)]],
        ])
        let cache = try RunningCache(credentials: credentials)
        do {
            #expect(await cache.synced(within: .seconds(30)))
            try await plane.create(Self.users, Self.user("rbac-watch", ["email": "rbac-watch@example.com"]))
            #expect(await eventually(within: .seconds(10)) { cache.index.containsUser(named: "rbac-watch") })
            // The role grants reading only: no writes.
            let write = try await plane.request(.POST, Self.users, body: Self.user("nope", ["email": "n@example.com"]),
                                                token: EnvtestControlPlane.limitedToken)
            #expect(write.status == 403)
        } catch {
            await cache.stop()
            throw error
        }
        await cache.stop()
    }
}
