import IdentityGuardTesting
import Admission
import AsyncHTTPClient
import ClusterCache
import Foundation
import IdentityRules
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import Testing
import WebhookServer
import KubeJSON

/// The real webhook server with a Users cache on the fake API server, spoken to over HTTPS.
@Suite("Webhook with the cluster cache, end to end", .timeLimit(.minutes(1)))
struct WebhookClusterEndToEndTests {
    @Test("readiness, denials naming the other User, updates, deletes, concurrency, dry runs and confirmations")
    func endToEnd() async throws {
        let api = try await FakeAPIServer.start()
        api.seed(20)
        api.add("alice", email: "alice@example.com")
        api.add("bob", email: "bob@example.com")
        api.configure { $0.holdLists = true }

        // As `serve` wires it: the index shared by the reviewer and the cache, readiness waiting for the first list.
        let index = ClusterEmailIndex()
        let readiness = ReadinessState()
        readiness.set("cluster-cache", ready: false)
        let cache = try RunningCache(api: api, index: index) { _, first in
            if first { readiness.set("cluster-cache", ready: true) }
        }
        let pki = try TestPKI()
        let webhook: RunningServer
        do {
            let reviewer = AdmissionReviewer(emailIndex: index, emailClaims: index)
            webhook = try await RunningServer.start(pki: pki, handler: ReviewCodec(reviewer: reviewer),
                                                    readiness: readiness)
        } catch {
            await cache.stop { api.endWatches() }
            await api.stop()
            pki.remove()
            throw error
        }
        do {
            try await scenario(api: api, cache: cache, webhook: webhook)
        } catch {
            try? await webhook.stop()
            await cache.stop { api.endWatches() }
            await api.stop()
            pki.remove()
            throw error
        }
        try await webhook.stop()
        await cache.stop { api.endWatches() }
        await api.stop()
        pki.remove()
    }

    private func scenario(api: FakeAPIServer, cache: RunningCache, webhook: RunningServer) async throws {
        let index = cache.index

        // Not ready while the first list is held back.
        #expect(await eventually { api.requests.lists >= 1 })
        let unready = try await webhook.get("/readyz")
        #expect(unready.status == 503)
        #expect(unready.text == "not ready: cluster-cache\n")
        api.configure { $0.holdLists = false }
        #expect(await cache.synced())
        #expect(try await eventually { try await webhook.get("/readyz").status == 200 })
        #expect(index.userCount == 22)

        // A CREATE whose email is alice's, in other case, is denied naming alice.
        let clash = try await webhook.validate(name: "mallory", email: "ALICE@Example.com")
        #expect(!clash.allowed)
        #expect(clash.message == #"User.auth.alauda.io "mallory" is invalid: spec.email: Duplicate value: "#
            + #""ALICE@Example.com": already used by User "alice""#)
        #expect(index.reservationCount == 0)

        // An UPDATE keeping its own email is allowed; the MODIFIED event that stores it confirms its reservation.
        #expect(await eventually { api.openWatches == 1 })
        #expect(try await webhook.validate(name: "alice", email: "alice@example.com", operation: "UPDATE").allowed)
        #expect(index.reservationCount == 1)
        api.modify("alice", email: "alice@example.com")
        #expect(await eventually { index.reservationCount == 0 })

        // Once the watch shows alice deleted, her email is free.
        api.delete("alice")
        #expect(await eventually { !index.containsUser(named: "alice") })
        #expect(try await webhook.validate(name: "mallory", email: "ALICE@Example.com").allowed)
        #expect(index.userNames(forNormalizedEmail: "alice@example.com") == ["mallory"])

        // Two concurrent CREATEs of one email under different names: exactly one is allowed.
        async let first = webhook.validate(name: "twin-1", email: "twin@example.com")
        async let second = webhook.validate(name: "twin-2", email: "Twin@Example.com")
        let answers = try await [first, second]
        #expect(answers.filter(\.allowed).count == 1)
        let winner = answers[0].allowed ? "twin-1" : "twin-2"
        let loser = answers[0].allowed ? answers[1] : answers[0]
        #expect(loser.message?.hasSuffix(#"already used by User "\#(winner)""#) == true)

        // A dry run reserves nothing: another name may still take the email.
        let reservations = index.reservationCount
        #expect(try await webhook.validate(name: "dry", email: "dry@example.com", dryRun: true).allowed)
        #expect(index.reservationCount == reservations)
        #expect(try await webhook.validate(name: "wet", email: "dry@example.com").allowed)
        #expect(index.reservationCount == 3)  // mallory, the twin that won, wet

        // The API server stores the allowed Users: their ADDED events confirm the reservations.
        api.add("mallory", email: "ALICE@Example.com")
        api.add(winner, email: "twin@example.com")
        api.add("wet", email: "dry@example.com")
        #expect(await eventually { index.reservationCount == 0 })
        #expect(index.userNames(forNormalizedEmail: "twin@example.com") == [winner])
        let bobClash = try await webhook.validate(name: "wet", email: "bob@example.com", operation: "UPDATE")
        #expect(!bobClash.allowed)
        #expect(bobClash.message?.hasSuffix(#"already used by User "bob""#) == true)
    }
}

extension RunningServer {
    /// GET `path`: the status code and body text.
    fileprivate func get(_ path: String) async throws -> (status: Int, text: String) {
        let reply = try await send(path, method: .GET, contentType: nil)
        return (Int(reply.status.code), reply.text)
    }

    /// POSTs a User AdmissionReview to /validate; returns whether it was allowed and the denial message.
    fileprivate func validate(name: String, email: String, operation: String = "CREATE", dryRun: Bool = false)
        async throws -> (allowed: Bool, message: String?)
    {
        let body = Review.userEmail(name: name, email: email, operation: operation, dryRun: dryRun)
        let answer = try await review("/validate", body)
        return (answer["response"]?["allowed"] == true, answer["response"]?["status"]?["message"]?.stringValue)
    }
}
