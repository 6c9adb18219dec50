import KubeJSON
import IdentityGuardTesting
import Admission
import ClusterCache
import Foundation
import IdentityRules
import Testing

extension Review {
    /// Whether `handler` allows `body` at `/validate`.
    static func allowed(_ handler: ReviewCodec, _ body: [UInt8]) throws -> Bool {
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

    @Test("a relist is applied in place: Users change as they arrive, those it lacks go at its end, a restart forgets")
    func relistInPlace() {
        let index = ClusterEmailIndex()
        index.replaceAll([(name: "alice", email: "a@example.com"), (name: "bob", email: "b@example.com"),
                          (name: "carol", email: "c@example.com")])
        index.beginList()
        index.listed(name: "zed", email: "z@example.com")
        // The list fails and starts again (an expired continue token): zed is not in the list that completes.
        index.beginList()
        index.listed(name: "alice", email: "a@example.com")
        index.listed(name: "bob", email: "bob@new.example.com")
        index.listed(name: "dave", email: "d@example.com")
        // Mid-list: bob's new email is in at once; carol, not listed yet, still holds hers.
        #expect(index.userNames(forNormalizedEmail: "bob@new.example.com") == ["bob"])
        #expect(index.userNames(forNormalizedEmail: "b@example.com").isEmpty)
        #expect(index.userNames(forNormalizedEmail: "c@example.com") == ["carol"])
        index.endList()
        #expect(!index.containsUser(named: "carol"))
        #expect(index.userNames(forNormalizedEmail: "c@example.com").isEmpty)
        #expect(!index.containsUser(named: "zed"), "a User only the abandoned list showed stays after the relist")
        #expect(index.userNames(forNormalizedEmail: "z@example.com").isEmpty)
        #expect(index.userCount == 3)
        #expect(index.userNames(forNormalizedEmail: "a@example.com") == ["alice"])
        #expect(index.userNames(forNormalizedEmail: "d@example.com") == ["dave"])
    }

    @Test("a claim reserves the email for its name until the watch confirms it")
    func claims() {
        let index = ClusterEmailIndex()
        let alice = EmailClaim(userName: "alice", normalizedEmail: "a@example.com")
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

    @Test("the holders besides a User: its own reservation and stored self left out, everyone else's kept")
    func holdersBesides() {
        let elapsed = Locked<Duration>(.zero)
        let start = ContinuousClock.now
        let index = ClusterEmailIndex(reservationTTL: .seconds(30), now: { start + elapsed.withLock { $0 } })
        #expect(index.claim(.init(userName: "alice", normalizedEmail: "a@example.com")))
        #expect(index.holders(ofNormalizedEmail: "a@example.com", besides: "alice").isEmpty)
        #expect(index.holders(ofNormalizedEmail: "a@example.com", besides: "bob") == [EmailHolder(name: "alice")])
        index.upsert(name: "carol", email: "a@example.com")
        #expect(index.holders(ofNormalizedEmail: "a@example.com", besides: "alice") == [EmailHolder(name: "carol")])
        #expect(index.holders(ofNormalizedEmail: "a@example.com", besides: "carol") == [EmailHolder(name: "alice")])
        index.remove(name: "carol")

        // Re-claiming refreshes the reservation in place: 20 s in, it then lasts until 50 s.
        elapsed.withLock { $0 = .seconds(20) }
        #expect(index.claim(.init(userName: "alice", normalizedEmail: "a@example.com")))
        elapsed.withLock { $0 = .seconds(40) }
        #expect(index.holders(ofNormalizedEmail: "a@example.com", besides: "bob") == [EmailHolder(name: "alice")])
        #expect(!index.claim(.init(userName: "bob", normalizedEmail: "a@example.com")))
        #expect(index.reservationCount == 1)
        elapsed.withLock { $0 = .seconds(51) }
        #expect(index.holders(ofNormalizedEmail: "a@example.com", besides: "bob").isEmpty)
        #expect(index.claim(.init(userName: "bob", normalizedEmail: "a@example.com")))
        #expect(index.holders(ofNormalizedEmail: "a@example.com", besides: "alice") == [EmailHolder(name: "bob")])
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
        let handler = ReviewCodec(reviewer: AdmissionReviewer(emailIndex: index, emailClaims: index))
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for number in 0..<64 {
                group.addTask {
                    try Review.allowed(handler, Review.userEmail(name: "user-\(number)", email: "Same@Example.com"))
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
        let handler = ReviewCodec(reviewer: AdmissionReviewer(emailIndex: index, emailClaims: index))
        #expect(try Review.allowed(handler, Review.userEmail(name: "alice", email: "a@example.com", dryRun: true)))
        #expect(index.reservationCount == 0)
        #expect(try Review.allowed(handler, Review.userEmail(name: "bob", email: "a@example.com")))
        index.upsert(name: "bob", email: "a@example.com")
        #expect(try Review.allowed(handler, Review.userEmail(name: "bob", email: "A@example.com",
                                                                operation: "UPDATE")))
        #expect(!(try Review.allowed(handler, Review.userEmail(name: "alice", email: "a@example.com"))))
    }
}
