import Admission
import ClusterCache
import Foundation
import IdentityRules
import Testing

/// AdmissionReview bodies for User requests.
enum UserReview {
    static func body(uid: String = UUID().uuidString, name: String, email: String, operation: String = "CREATE",
                     dryRun: Bool = false) -> [UInt8]
    {
        let object: JSONValue = ["apiVersion": "auth.alauda.io/v1", "kind": "User",
                                 "metadata": ["name": .string(name)], "spec": ["email": .string(email)]]
        var request = JSONObject([
            .init(key: "uid", value: .string(uid)),
            .init(key: "kind", value: ["group": "auth.alauda.io", "version": "v1", "kind": "User"]),
            .init(key: "name", value: .string(name)),
            .init(key: "operation", value: .string(operation)),
            .init(key: "object", value: object),
            .init(key: "dryRun", value: .bool(dryRun)),
        ])
        if operation == "UPDATE" { request["oldObject"] = object }
        return JSONWriter.serialize(["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                                     "request": .object(request)])
    }

    static func allowed(_ handler: AdmissionHandler, _ body: [UInt8]) throws -> Bool {
        let answer = try handler.handle(body: body, as: .validating)
        return try JSONReader.parse(answer.body)["response"]?["allowed"] == true
    }
}

@Suite("Cluster email index and reservations")
struct ClusterEmailIndexTests {
    @Test("follows upserts, email changes and deletes")
    func events() {
        let index = ClusterEmailIndex()
        index.replaceAll([(name: "alice", email: "Alice@Example.com"), (name: "bob", email: nil)])
        #expect(index.userNames(forNormalizedEmail: "alice@example.com") == ["alice"])
        #expect(index.containsUser(named: "bob"))
        index.upsert(name: "alice", email: "alice@new.example.com")
        #expect(index.userNames(forNormalizedEmail: "alice@example.com").isEmpty)
        #expect(index.userNames(forNormalizedEmail: "alice@new.example.com") == ["alice"])
        index.remove(name: "alice")
        #expect(index.userNames(forNormalizedEmail: "alice@new.example.com").isEmpty)
        #expect(index.userCount == 1)
        index.replaceAll([(name: "carol", email: "c@example.com")])
        #expect(!index.containsUser(named: "bob"))
        #expect(index.userNames(forNormalizedEmail: "c@example.com") == ["carol"])
    }

    @Test("a claim reserves the email for its name until the watch confirms it")
    func claims() {
        let index = ClusterEmailIndex()
        let alice = AdmissionOutcome.EmailClaim(userName: "alice", normalizedEmail: "a@example.com")
        #expect(index.claim(alice))
        #expect(index.claim(alice))  // re-claiming one's own email refreshes it
        #expect(!index.claim(.init(userName: "alice2", normalizedEmail: "a@example.com")))
        #expect(index.userNames(forNormalizedEmail: "a@example.com") == ["alice"])
        index.upsert(name: "alice", email: "A@example.com")
        #expect(index.reservationCount == 0)
        #expect(!index.claim(.init(userName: "alice2", normalizedEmail: "a@example.com")))
        index.remove(name: "alice")
        #expect(index.claim(.init(userName: "alice2", normalizedEmail: "a@example.com")))
    }

    @Test("reservations expire after the TTL")
    func expiry() async throws {
        let index = ClusterEmailIndex(reservationTTL: .milliseconds(100))
        #expect(index.claim(.init(userName: "alice", normalizedEmail: "a@example.com")))
        try await Task.sleep(for: .milliseconds(250))
        #expect(index.userNames(forNormalizedEmail: "a@example.com").isEmpty)
        #expect(index.claim(.init(userName: "eve", normalizedEmail: "a@example.com")))
        #expect(index.purgeExpiredReservations() == 1)
    }

    @Test("of many concurrent CREATEs with one email, exactly one is allowed")
    func concurrentCreates() async throws {
        let index = ClusterEmailIndex()
        let handler = AdmissionHandler(reviewer: AdmissionReviewer(emailIndex: index))
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for number in 0..<64 {
                group.addTask {
                    try UserReview.allowed(handler, UserReview.body(name: "user-\(number)", email: "Same@Example.com"))
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 1)
        #expect(index.userNames(forNormalizedEmail: "same@example.com").count == 1)
    }

    @Test("a dry run reserves nothing; an UPDATE keeping its own email is allowed")
    func dryRunAndUpdate() throws {
        let index = ClusterEmailIndex()
        let handler = AdmissionHandler(reviewer: AdmissionReviewer(emailIndex: index))
        #expect(try UserReview.allowed(handler, UserReview.body(name: "alice", email: "a@example.com", dryRun: true)))
        #expect(index.reservationCount == 0)
        #expect(try UserReview.allowed(handler, UserReview.body(name: "bob", email: "a@example.com")))
        index.upsert(name: "bob", email: "a@example.com")
        #expect(try UserReview.allowed(handler, UserReview.body(name: "bob", email: "A@example.com",
                                                                operation: "UPDATE")))
        #expect(!(try UserReview.allowed(handler, UserReview.body(name: "alice", email: "a@example.com"))))
    }
}
