import KubeJSON
import IdentityGuardTesting
import Admission
import AsyncHTTPClient
import Foundation
import IdentityRules
import NIOCore
import Testing
import WebhookServer

/// An email index that holds the one lookup of `heldEmail` until the test lets it go: a review that is
/// "being evaluated" for as long as the test wants, without a clock.
private final class HeldEmailIndex: EmailIndex, @unchecked Sendable {
    let heldEmail: String
    private let condition = NSCondition()
    private var entered = false
    private var released = false

    init(heldEmail: String) {
        self.heldEmail = heldEmail
    }

    var isHolding: Bool {
        condition.lock()
        defer { condition.unlock() }
        return entered && !released
    }

    func release() {
        condition.lock()
        released = true
        condition.broadcast()
        condition.unlock()
    }

    func holders(ofNormalizedEmail normalizedEmail: String) -> [EmailHolder] {
        guard normalizedEmail == heldEmail else { return [] }
        condition.lock()
        entered = true
        while !released { condition.wait() }
        condition.unlock()
        return []
    }

    func containsUser(named name: String) -> Bool { false }
}

/// A large body is reviewed off the event loop: with a single event loop, a good client on another connection
/// is answered while a review over the 64 KiB threshold is still being evaluated (held mid-evaluation by its
/// email lookup). Were the review on the loop, the good client could never connect (the test fails with a
/// connect timeout). The 1 MB floods themselves are in AdmissionTests' AnswerBoundsTests, in process.
@Suite("Large reviews leave the event loop", .timeLimit(.minutes(2)))
struct OffLoopReviewTests {
    @Test("a good client is answered while a 120 KB flood is held mid-evaluation; then the flood is denied")
    func goodClientAnsweredDuringFlood() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let index = HeldEmailIndex(heldEmail: "flood@example.com")
        let handler = ReviewCodec(reviewer: AdmissionReviewer(emailIndex: index))
        let server = try await RunningServer.start(pki: pki, handler: handler) { $0.eventLoopThreads = 1 }
        do {
            let groups = JSONValue.array(Array(repeating: .string("grp"), count: 20_001))
            let flood = Review.body(uid: "flood", name: "flood",
                                    object: Review.user("flood", ["email": "flood@example.com", "groups": groups]))
            #expect(flood.count > 100_000)
            let floodTask = Task { try await server.review("/validate", flood) }
            #expect(await eventually(within: .seconds(60)) { index.isHolding })

            // The flood is held on the thread pool; the one event loop still answers another connection.
            let good = Review.identity(user: "alice", reference: ["name": "alice",
                                                                  "uid": "38fd79e1-0a1e-44c1-a038-fa21b052fe1d"])
            let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                    configuration: try clientConfiguration(trusting: pki))
            let answer: JSONValue
            do {
                answer = try await server.review("/validate", Review.body(
                    uid: "good", kind: Review.identityKind, name: "github:alice", object: good), client: client)
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
            #expect(answer == Review.answer(Review.v1, ["uid": "good", "allowed": true]))
            #expect(index.isHolding)

            index.release()
            let denied = try await floodTask.value
            #expect(denied["response"]?["uid"] == "flood")
            #expect(denied["response"]?["allowed"] == false)
            #expect(denied["response"]?["status"]?["details"]?["causes"]?.arrayValue?.count == 101)
        } catch {
            index.release()
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}
