import KubeJSON
import IdentityGuardTesting
import Admission
import IdentityRules
import Testing

/// Exemptions in the webhook's answers: an exempted rule neither denies nor warns nor mutates; when an
/// exemption changed the outcome the answer says so in a warning per rule and one `exempted` audit annotation,
/// and says nothing when it did not.
@Suite("Admission answers with exemptions")
struct ExemptionReviewTests {
    static let configuration: JSONValue = [
        "exemptions": [
            ["name": "break-glass", "rules": ["user.state", "user.email"], "users": ["admin"]],
            ["name": "installer", "rules": ["user.email"],
             "requesters": ["system:serviceaccount:cpaas-system:installer"]],
            ["name": "legacy", "rules": ["user.password-deprecated"], "labels": ["legacy": "true"]],
        ],
    ]

    static func codec() throws -> ReviewCodec {
        let engine = RuleEngine(configuration: try RuleConfiguration(document: configuration))
        return ReviewCodec(reviewer: AdmissionReviewer(engine: engine))
    }

    static func response(_ body: [UInt8], _ webhook: WebhookType = .validating) throws -> JSONValue {
        let answer = try codec().handle(body: body, as: webhook)
        return try #require(try JSONReader.parse(answer.body)["response"])
    }

    @Test("break-glass: admin's bad state and empty email are admitted, with a warning each and the annotation")
    func breakGlass() throws {
        let response = try Self.response(Review.body(uid: "bg", name: "admin",
                                                     object: Review.user("admin", ["state": "sleeping"])))
        #expect(response == [
            "uid": "bg", "allowed": true,
            "auditAnnotations": ["exempted": "break-glass:user.email,user.state"],
            "warnings": [#"exempted from user.email by "break-glass""#, #"exempted from user.state by "break-glass""#],
        ])
        // Another User with the same object is denied as always, and nothing mentions exemptions.
        let other = try Self.response(Review.body(uid: "o", name: "bob", object: Review.user("bob", ["state": "sleeping"])))
        #expect(other["allowed"] == false)
        #expect(other["warnings"] == nil)
        #expect(other["auditAnnotations"] == nil)
    }

    @Test("requesters come from request.userInfo; a User the exemption does not change gets no warning")
    func requester() throws {
        let installer: JSONValue = ["username": "system:serviceaccount:cpaas-system:installer",
                                    "groups": ["system:serviceaccounts"]]
        let object = Review.user("admin2", ["state": "active"])
        let exempted = try Self.response(Review.body(uid: "i", name: "admin2", object: object, userInfo: installer))
        #expect(exempted == [
            "uid": "i", "allowed": true, "auditAnnotations": ["exempted": "installer:user.email"],
            "warnings": [#"exempted from user.email by "installer""#],
        ])
        let someoneElse = try Self.response(Review.body(uid: "s", name: "admin2", object: object,
                                                        userInfo: ["username": "jane", "groups": []]))
        #expect(someoneElse["allowed"] == false)
        // The installer creating a clean User: the exemption changed nothing, so the answer is plain.
        let clean = try Self.response(Review.body(uid: "c", name: "carol",
                                                  object: Review.user("carol", ["email": "carol@example.com"]),
                                                  userInfo: installer))
        #expect(clean == ["uid": "c", "allowed": true])
    }

    @Test("/mutate: an exempted mutation is not patched; the warning and annotation say so")
    func mutate() throws {
        var object = Review.user("old", ["email": "old@example.com", "password": "hunter2"])
        if case .object(var user) = object {
            user["metadata"] = ["name": "old", "labels": ["legacy": "true"]]
            object = .object(user)
        }
        let response = try Self.response(Review.body(uid: "m", name: "old", object: object), .mutating)
        #expect(response == [
            "uid": "m", "allowed": true, "auditAnnotations": ["exempted": "legacy:user.password-deprecated"],
            "warnings": [#"exempted from user.password-deprecated by "legacy""#],
        ])
        // On /validate the same object's password finding is lifted too: no warning about the password.
        let validated = try Self.response(Review.body(uid: "v", name: "old", object: object))
        #expect(validated["warnings"] == [#"exempted from user.password-deprecated by "legacy""#])
    }

    @Test("userInfo is read only when an exemption selects on requesters")
    func userInfoSkipped() throws {
        let withRequesters = AdmissionRequest.unusedMembers(readingUserInfo: true)
        #expect(!withRequesters.contains(["request", "userInfo"]))
        #expect(AdmissionRequest.unusedMembers.contains(["request", "userInfo"]))
        let plain = ReviewCodec()
        let answer = try plain.handle(body: Review.body(uid: "p", object: Review.user("alice", ["email": "a@b.c"]),
                                                        userInfo: ["username": "x"]), as: .validating)
        #expect(answer.request.requester == nil)
        let reading = try Self.codec().handle(body: Review.body(uid: "p", object: Review.user("alice", ["email": "a@b.c"]),
                                                                userInfo: ["username": "x", "groups": ["g"]]),
                                              as: .validating)
        #expect(answer.outcome.exemptions.isEmpty)
        #expect(reading.request.requester == Requester(username: "x", groups: ["g"]))
    }
}
