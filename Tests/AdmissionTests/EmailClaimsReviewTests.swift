import Admission
import IdentityGuardTesting
import IdentityRules
import KubeJSON
import Testing

/// Email claims with scripted decisions, counting what the reviewer asks.
final class ScriptedEmailClaims: EmailClaims {
    let decider: EmailDecider
    private let atOnce: EmailDecision?
    private let waited: EmailDecision
    let asked = Locked<(atOnce: [EmailClaim], waited: [EmailClaim])>(([], []))

    init(_ decider: EmailDecider, atOnce: EmailDecision?, waited: EmailDecision = .granted) {
        self.decider = decider
        self.atOnce = atOnce
        self.waited = waited
    }

    func decideAtOnce(_ claim: EmailClaim) -> EmailDecision? {
        asked.withLock { $0.atOnce.append(claim) }
        return atOnce
    }

    func decide(_ claim: EmailClaim) async -> EmailDecision {
        asked.withLock { $0.waited.append(claim) }
        return waited
    }
}

@Suite("Email claims: one type, decided by this replica or by the apiserver")
struct EmailClaimsReviewTests {
    static let claim = EmailClaim(userName: "alice", normalizedEmail: "alice@example.com")
    static let body = Review.userEmail(uid: "u-1", name: "alice", email: "Alice@Example.com")

    static func handler(_ claims: ScriptedEmailClaims, rules: RuleConfiguration = .defaults) -> ReviewCodec {
        ReviewCodec(reviewer: AdmissionReviewer(engine: RuleEngine(configuration: rules), emailClaims: claims))
    }

    static func response(_ answer: ReviewCodec.Answer) throws -> JSONValue? {
        try JSONReader.parse(answer.body)["response"]
    }

    @Test("decided at once (this replica's reservation, or an email the cluster shows stored): no waiting")
    func decidedAtOnce() throws {
        for decider in EmailDecider.allCases {
            let claims = ScriptedEmailClaims(decider, atOnce: .granted)
            let handler = Self.handler(claims)
            let answer = try handler.handle(body: Self.body, as: .validating)
            #expect(answer.outcome.decision == .allowed)
            #expect(answer.outcome.emailClaim == Self.claim)
            #expect(!answer.outcome.awaitsEmailDecision)
            #expect(!handler.needsArbitration(answer))
            #expect(claims.asked.current.atOnce == [Self.claim])
            #expect(claims.asked.current.waited.isEmpty)
        }
    }

    @Test("no decision at once: the answer waits for the apiserver's, and stands when granted")
    func waitsThenGranted() async throws {
        let claims = ScriptedEmailClaims(.apiserver, atOnce: nil, waited: .granted)
        let handler = Self.handler(claims)
        let answer = try handler.handle(body: Self.body, as: .validating)
        #expect(answer.outcome.awaitsEmailDecision)
        #expect(handler.needsArbitration(answer))
        let decided = await handler.arbitrate(answer)
        #expect(!decided.outcome.awaitsEmailDecision)
        #expect(!handler.needsArbitration(decided))
        #expect(decided.outcome.decision == .allowed)
        #expect(try Self.response(decided) == ["uid": "u-1", "allowed": true])
        #expect(claims.asked.current.waited == [Self.claim])
    }

    @Test("held by another User, at once or after waiting: denied exactly like any duplicate, naming the holder")
    func heldByAnother() async throws {
        let expected: JSONValue = [
            "uid": "u-1", "allowed": false,
            "status": [
                "metadata": [:], "status": "Failure",
                "message": .string(#"User.auth.alauda.io "alice" is invalid: spec.email: Duplicate value: "#
                    + #""Alice@Example.com": already used by User "winner""#),
                "reason": "Forbidden",
                "details": ["name": "alice", "group": "auth.alauda.io", "kind": "User", "causes": [[
                    "reason": "FieldValueDuplicate",
                    "message": #"Duplicate value: "Alice@Example.com": already used by User "winner""#,
                    "field": "spec.email",
                ]]],
                "code": 403,
            ],
        ]
        let replica = ScriptedEmailClaims(.replica, atOnce: .heldBy("winner"))
        let atOnce = try Self.handler(replica).handle(body: Self.body, as: .validating)
        #expect(atOnce.outcome.decision == .denied)
        #expect(atOnce.outcome.emailClaim == nil)
        #expect(!atOnce.outcome.awaitsEmailDecision)
        #expect(try Self.response(atOnce) == expected)

        let apiserver = ScriptedEmailClaims(.apiserver, atOnce: nil, waited: .heldBy("winner"))
        let handler = Self.handler(apiserver)
        let waited = await handler.arbitrate(try handler.handle(body: Self.body, as: .validating))
        #expect(waited.outcome.decision == .denied)
        #expect(try Self.response(waited) == expected)
    }

    @Test("no decision to be had: refused with 500, the webhook fails closed")
    func unavailable() async throws {
        let claims = ScriptedEmailClaims(.apiserver, atOnce: nil, waited: .unavailable("no answer within 2 s"))
        let handler = Self.handler(claims)
        let answer = await handler.arbitrate(try handler.handle(body: Self.body, as: .validating))
        #expect(answer.outcome.decision == .errored)
        #expect(try Self.response(answer)?["status"]?["code"] == 500)
        #expect(try Self.response(answer)?["status"]?["message"] == .string(#"cannot confirm that the email of User "#
            + #""alice" is unique in the cluster: no answer within 2 s; refused, the webhook fails closed"#))
    }

    @Test("nothing is asked for a dry run, a denial, an Identity, or with user.email-unique off")
    func nothingAsked() throws {
        let claims = ScriptedEmailClaims(.apiserver, atOnce: nil)
        _ = try Self.handler(claims).handle(body: Review.userEmail(name: "alice", email: "a@x.io", dryRun: true),
                                            as: .validating)
        _ = try Self.handler(claims).handle(body: Review.deniedUser(uid: "u-2"), as: .validating)
        let identity = Review.identity(user: "alice", reference: ["name": "alice", "uid": "1"])
        _ = try Self.handler(claims).handle(body: Review.body(kind: Review.identityKind, name: "github:alice",
                                                              object: identity), as: .validating)
        let off = try RuleConfiguration(overrides: ["user.email-unique": .off])
        let answer = try Self.handler(claims, rules: off).handle(body: Self.body, as: .validating)
        #expect(answer.outcome.decision == .allowed)
        #expect(!answer.outcome.awaitsEmailDecision)
        #expect(claims.asked.current.atOnce.isEmpty)
        #expect(claims.asked.current.waited.isEmpty)
    }
}
