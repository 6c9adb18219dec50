@testable import ClusterCache
import Testing

/// When the watch voids a claim: the holder shown stored with the email and then gone — and only a claim made
/// before it was stored.
@Suite("claims over a User's life, in the index")
struct ClaimLifecycleTests {
    static let email = "alice@example.com"

    @Test("deleted after being seen stored: a claim made before that is void; one made after is not")
    func deleted() {
        let index = ClusterEmailIndex()
        let before = MicroTime(microseconds: MicroTime.now.microseconds - 1_000_000)
        let claimedHere = ContinuousClock.now
        #expect(!index.isVoid(holder: "alice", normalizedEmail: Self.email, claimedAt: before))
        index.upsert(name: "alice", email: "Alice@example.com")
        #expect(!index.isVoid(holder: "alice", normalizedEmail: Self.email, claimedAt: before), "stored, not gone")
        index.remove(name: "alice")
        #expect(index.isVoid(holder: "alice", normalizedEmail: Self.email, claimedAt: before))
        #expect(index.isRetired(name: "alice", normalizedEmail: Self.email, claimedAt: claimedHere))
        // A claim made after alice was seen stored (a re-created alice claiming again) still holds.
        let after = MicroTime(microseconds: MicroTime.now.microseconds + 1_000_000)
        #expect(!index.isVoid(holder: "alice", normalizedEmail: Self.email, claimedAt: after))
        #expect(!index.isRetired(name: "alice", normalizedEmail: Self.email, claimedAt: .now))
        #expect(!index.isVoid(holder: "alice", normalizedEmail: Self.email, claimedAt: nil), "no renewTime: held")
        #expect(!index.isVoid(holder: "bob", normalizedEmail: Self.email, claimedAt: before), "another holder")
    }

    @Test("an email change retires the old email only; stored again with it ends the retirement")
    func emailChange() {
        let index = ClusterEmailIndex()
        let before = MicroTime(microseconds: MicroTime.now.microseconds - 1_000_000)
        index.upsert(name: "bob", email: "bob-old@example.com")
        index.upsert(name: "bob", email: "bob-new@example.com")
        #expect(index.isVoid(holder: "bob", normalizedEmail: "bob-old@example.com", claimedAt: before))
        #expect(!index.isVoid(holder: "bob", normalizedEmail: "bob-new@example.com", claimedAt: before))
        index.upsert(name: "bob", email: "bob-old@example.com")
        #expect(!index.isVoid(holder: "bob", normalizedEmail: "bob-old@example.com", claimedAt: before))
        #expect(index.isVoid(holder: "bob", normalizedEmail: "bob-new@example.com", claimedAt: before))
    }

    @Test("a relist that lacks a User, or shows it with another email, retires it as a watch event would")
    func relist() {
        let index = ClusterEmailIndex()
        let before = MicroTime(microseconds: MicroTime.now.microseconds - 1_000_000)
        index.replaceAll([])
        for name in ["alice", "bob", "carol"] { index.upsert(name: name, email: "\(name)@example.com") }
        index.replaceAll([("bob", "bob2@example.com"), ("carol", "carol@example.com")])
        #expect(index.isVoid(holder: "alice", normalizedEmail: "alice@example.com", claimedAt: before))
        #expect(index.isVoid(holder: "bob", normalizedEmail: "bob@example.com", claimedAt: before))
        #expect(!index.isVoid(holder: "carol", normalizedEmail: "carol@example.com", claimedAt: before))
        #expect(index.retiredCount == 2)
    }

    @Test("the first list's Users are not remembered (no timestamp per User of the cluster); later ones are")
    func firstList() {
        let index = ClusterEmailIndex()
        let before = MicroTime(microseconds: MicroTime.now.microseconds - 1_000_000)
        index.replaceAll((0..<1_000).map { ("user-\($0)", "user-\($0)@example.com") })
        index.remove(name: "user-0")
        #expect(index.retiredCount == 0)
        #expect(!index.isVoid(holder: "user-0", normalizedEmail: "user-0@example.com", claimedAt: before),
                "stored at an unknown time: its claim keeps its TTL")
        // A relist after it: a User it adds is newly stored, and its deletion voids its claim.
        index.replaceAll((1..<1_001).map { ("user-\($0)", "user-\($0)@example.com") })
        index.remove(name: "user-1000")
        #expect(index.isVoid(holder: "user-1000", normalizedEmail: "user-1000@example.com", claimedAt: before))
        #expect(index.retiredCount == 1)
    }

    @Test("what is remembered for voiding is bounded: forgotten after one reservation TTL")
    func bounded() async throws {
        let index = ClusterEmailIndex(reservationTTL: .milliseconds(50))
        for number in 0..<1_000 { index.upsert(name: "user-\(number)", email: "user-\(number)@example.com") }
        for number in 0..<1_000 { index.remove(name: "user-\(number)") }
        #expect(index.retiredCount == 1_000)
        try await Task.sleep(for: .milliseconds(60))
        index.purgeExpiredReservations()
        #expect(index.retiredCount == 0)
        // A User stored longer ago than the TTL leaves no retirement: any claim it made has expired.
        index.upsert(name: "old", email: "old@example.com")
        try await Task.sleep(for: .milliseconds(60))
        index.purgeExpiredReservations()
        index.remove(name: "old")
        #expect(index.retiredCount == 0)
    }
}
