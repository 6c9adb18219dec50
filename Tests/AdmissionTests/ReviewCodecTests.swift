import KubeJSON
import IdentityGuardTesting
import Admission
import Foundation
import IdentityRules
import Testing

/// Request bodies built from a template, for the protocol edge cases.
extension Review {
    /// The handler's answer to `body`, parsed.
    static func answer(_ body: [UInt8], _ webhook: WebhookType = .validating,
                       handler: ReviewCodec = ReviewCodec()) throws -> JSONValue {
        let answer = try handler.handle(body: body, as: webhook)
        return try JSONReader.parse(answer.body)
    }
}

@Suite("Admission handler")
struct ReviewCodecTests {
    static let capturesURL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("captures")

    @Test(
        "answers the real apiserver captures exactly as the apiserver accepted",
        arguments: ["01-delete-users", "02-create-users", "03-update-users", "04-create-users", "05-delete-users"]
    )
    func captures(name: String) throws {
        let capture = try JSONReader.parse(try Data(contentsOf: Self.capturesURL.appendingPathComponent("\(name).request.json")))
        let expected = try JSONReader.parse(try Data(contentsOf: Self.capturesURL.appendingPathComponent("\(name).response.json")))
        let body = JSONWriter.serialize(try #require(capture["body"]))
        #expect(capture["path"] == "/validate?timeout=10s")
        let answer = try ReviewCodec().handle(body: body, as: .validating)
        #expect(try JSONReader.parse(answer.body) == expected)
        let mutated = try ReviewCodec().handle(body: body, as: .mutating)
        #expect(try JSONReader.parse(mutated.body) == expected)
    }

    @Test(
        "a body that is no answerable AdmissionReview is refused with a one-line reason",
        arguments: [
            ("not json", "invalid JSON at byte 1: unexpected character ('o')"),
            ("{\"a\": 1", "invalid JSON at byte 7: unexpected end of input"),
            ("[]", "the body must be a JSON object (an AdmissionReview)"),
            (#"{"kind": "AdmissionReview", "request": {"uid": "u"}}"#,
             "apiVersion is missing; expected admission.k8s.io/v1 or admission.k8s.io/v1beta1"),
            (#"{"apiVersion": "admission.k8s.io/v2", "kind": "AdmissionReview", "request": {"uid": "u"}}"#,
             #"unsupported apiVersion "admission.k8s.io/v2"; expected admission.k8s.io/v1 or admission.k8s.io/v1beta1"#),
            (#"{"apiVersion": "admission.k8s.io/v1", "kind": "Pod", "request": {"uid": "u"}}"#,
             #"kind must be "AdmissionReview""#),
            (#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}"#, "request is missing or not an object"),
            (#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": ""}}"#,
             "request.uid is missing or empty"),
            (#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {}}"#,
             "request.uid is missing or empty"),
        ]
    )
    func undecodable(body: String, reason: String) {
        #expect(throws: AdmissionDecodingError(reason)) {
            _ = try ReviewCodec().handle(body: Array(body.utf8), as: .validating)
        }
    }

    @Test("nesting deeper than 256 levels is refused, not a stack overflow")
    func deepBody() {
        let body = Array((#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": "#
            + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}").utf8)
        #expect(throws: AdmissionDecodingError("invalid JSON at byte 331: nesting too deep (more than 256 levels)")) {
            _ = try ReviewCodec().handle(body: body, as: .validating)
        }
    }

    @Test("a request with a uid but nothing to evaluate fails closed with 400, echoing the uid")
    func errored() throws {
        let missingObject = try Review.answer(Review.body(object: nil))
        #expect(missingObject == [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "response": [
                "uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": false,
                "status": [
                    "metadata": [:], "status": "Failure",
                    "message": "request.object is missing; CREATE of a User needs the object",
                    "reason": "BadRequest", "code": 400,
                ],
            ],
        ])
        let badOperation = try Review.answer(Review.body(operation: "PATCH", object: Review.user(["email": "a@b.c"])))
        #expect(badOperation["response"]?["status"]?["message"]
            == #"request.operation "PATCH" is not one of CREATE, UPDATE, DELETE, CONNECT"#)
        let noOld = try Review.answer(Review.body(operation: "UPDATE", object: Review.user(["email": "a@b.c"])))
        #expect(noOld["response"]?["status"]?["message"]
            == "request.oldObject is missing or not an object; UPDATE of a User needs it")
        let notObject = try Review.answer(Review.body(object: "alice"), .mutating)
        #expect(notObject["response"]?["allowed"] == false)
    }

    @Test("other kinds and other versions are allowed untouched and counted as skipped")
    func ungoverned() throws {
        for kind: JSONValue in [["group": "", "version": "v1", "kind": "ConfigMap"],
                                ["group": "auth.alauda.io", "version": "v2", "kind": "User"]] {
            let answer = try ReviewCodec().handle(body: Review.body(kind: kind, object: ["anything": 1]),
                                                       as: .validating)
            #expect(answer.outcome.decision == .skipped)
            #expect(try JSONReader.parse(answer.body)["response"]?["allowed"] == true)
        }
    }

    @Test("a denial carries 403, the joined message, causes, and warnings; v1beta1 answers v1beta1")
    func denial() throws {
        let body = Review.body(apiVersion: "admission.k8s.io/v1beta1",
                               object: Review.user(["state": "sleeping", "password": "hunter2"]))
        let answer = try ReviewCodec().handle(body: body, as: .validating)
        #expect(answer.outcome.decision == .denied)
        #expect(answer.outcome.ruleIDs == ["user.email", "user.password-deprecated", "user.state"])
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"apiVersion":"admission.k8s.io/v1beta1","#
            + #""kind":"AdmissionReview","response":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":false,"#
            + #""status":{"metadata":{},"status":"Failure","message":"User.auth.alauda.io \"alice\" is invalid: "#
            + #"[spec.email: Required value, spec.state: Unsupported value: \"sleeping\": supported values: "#
            + #"\"active\", \"disabled\", \"locked\", \"invalid\"]","reason":"Forbidden","details":{"name":"alice","#
            + #""group":"auth.alauda.io","kind":"User","causes":[{"reason":"FieldValueRequired","#
            + #""message":"Required value","field":"spec.email"},{"reason":"FieldValueNotSupported","#
            + #""message":"Unsupported value: \"sleeping\": supported values: \"active\", \"disabled\", \"locked\", "#
            + #"\"invalid\"","field":"spec.state"}]},"code":403},"warnings":["spec.password: Forbidden: deprecated: "#
            + #"plain-text passwords must not be stored"]}}"#)
        #expect(!String(decoding: answer.body, as: UTF8.self).contains("hunter2"))
    }

    @Test("a single violation is joined without brackets")
    func singleViolation() throws {
        let answer = try Review.answer(Review.body(object: Review.user(["email": "a b"])))
        #expect(answer["response"]?["status"]?["message"]
            == #"User.auth.alauda.io "alice" is invalid: spec.email: Invalid value: "a b": must not contain white space or control characters"#)
    }

    @Test("/mutate only patches: it allows what /validate denies, and its patch is idempotent")
    func mutateOnly() throws {
        let object = Review.user(["state": "sleeping", "password": "hunter2"])
        let answer = try ReviewCodec().handle(body: Review.body(object: object), as: .mutating)
        #expect(answer.outcome.decision == .patched)
        let response = try #require(try JSONReader.parse(answer.body)["response"])
        #expect(response["allowed"] == true)
        #expect(response["patchType"] == "JSONPatch")
        #expect(response["auditAnnotations"] == ["scrubbed-fields": "spec.password"])
        #expect(response["warnings"] == ["removed deprecated spec.password: plain-text passwords are not stored"])
        let encodedPatch = try #require(response["patch"]?.stringValue)
        let patchBytes = try #require(Data(base64Encoded: encodedPatch))
        let patch = try JSONPatch(parsing: try JSONReader.parse(patchBytes))
        let patched = try patch.apply(to: object)
        #expect(patched == Review.user(["state": "sleeping", "is_disabled": false]))
        let again = try Review.answer(Review.body(object: patched), .mutating)
        #expect(again == ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                          "response": ["uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": true]])
    }

    @Test("a validating answer never carries patch or patchType")
    func validateHasNoPatch() throws {
        let answer = try Review.answer(Review.body(object: Review.user(["email": "a@b.c", "password": "x"])))
        #expect(answer["response"]?["patch"] == nil)
        #expect(answer["response"]?["patchType"] == nil)
        #expect(answer["response"]?["allowed"] == true)
    }

    @Test("every member of the request is decoded; a repeated key's last value wins; look-alike keys are not taken")
    func requestMembers() throws {
        // Keys of the same lengths as the ones read (resource/userInfo, requestKind/subResource, …) stand between
        // them, and each key read is written twice: the first value must lose.
        let body = #"""
            {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
              "uid": "first", "kind": {"group": "g0", "version": "v0", "kind": "K0"}, "name": "n0",
              "namespace": "ns0", "operation": "DELETE", "subResource": "s0", "dryRun": false,
              "object": {"a": 0}, "oldObject": {"b": 0}, "userInfo": {"username": "u0", "groups": ["g0"]},
              "resource": {"group": "x"}, "requestKind": {"kind": "X"}, "opera7ion": "X", "namesp4ce": "X",
              "uid": "u-2", "kind": {"group": "auth.alauda.io", "version": "v1", "kind": "User"}, "name": "alice",
              "namespace": "", "operation": "UPDATE", "subResource": "status", "dryRun": true,
              "object": {"a": 1}, "oldObject": null, "userInfo": {"username": "bob", "groups": ["ops", "dev"]},
              "uId": "X", "Name": "X"}}
            """#
        let request = try AdmissionRequest(review: try JSONReader.parse(body))
        #expect(request.uid == "u-2")
        #expect(request.kind == GroupVersionKind(group: "auth.alauda.io", version: "v1", kind: "User"))
        #expect(request.name == "alice")
        #expect(request.namespace == nil, "an empty namespace is none")
        #expect(request.operation == .update)
        #expect(request.operationName == "UPDATE")
        #expect(request.subResource == "status")
        #expect(request.dryRun)
        #expect(request.object == ["a": 1])
        #expect(request.oldObject == nil, "null is no oldObject")
        #expect(request.requester == Requester(username: "bob", groups: ["ops", "dev"]))
    }

    @Test("dry runs are flagged and claim no email; real CREATEs claim theirs")
    func dryRunClaims() throws {
        let object = Review.user(["email": "Alice@Example.com"])
        let dry = try ReviewCodec().handle(body: Review.body(object: object, dryRun: true), as: .validating)
        #expect(dry.outcome.dryRun)
        #expect(dry.outcome.emailClaim == nil)
        let real = try ReviewCodec().handle(body: Review.body(object: object), as: .validating)
        #expect(real.outcome.emailClaim == .init(userName: "alice", normalizedEmail: "alice@example.com"))
    }

    @Test("UPDATE sees oldObject; the status subresource skips spec rules")
    func updates() throws {
        let old: JSONValue = ["apiVersion": "user.openshift.io/v1", "kind": "Identity",
                              "metadata": ["name": "github:alice"], "providerName": "github",
                              "providerUserName": "alice", "user": ["name": "alice", "uid": "u1"]]
        var new = try #require(old.objectValue)
        new["providerName"] = "gitlab"
        let kind: JSONValue = ["group": "user.openshift.io", "version": "v1", "kind": "Identity"]
        let answer = try Review.answer(Review.body(kind: kind, operation: "UPDATE", name: "github:alice",
                                                   object: .object(new), oldObject: old))
        #expect(answer["response"]?["status"]?["message"] == .string(#"Identity.user.openshift.io "github:alice" "#
            + #"is invalid: [metadata.name: Invalid value: "github:alice": must be gitlab:alice, "#
            + #"providerName: Invalid value: "gitlab": may not change providerName]"#))
        let broken = Review.user(["state": "sleeping"])
        let status = try Review.answer(Review.body(operation: "UPDATE", subResource: "status", object: broken,
                                                   oldObject: broken))
        #expect(status["response"]?["allowed"] == true)
    }

    @Test("of the stored object only what UPDATE rules compare is built; the rest is still checked as JSON")
    func storedObjectReadLean() throws {
        var old = try #require(Review.user(["email": "alice@example.com", "password": "hunter2"]).objectValue)
        old["metadata"] = ["name": "alice", "labels": ["team": "a"], "annotations": ["note": "x"]]
        old["status"] = ["phase": "Active"]
        let body = Review.body(operation: "UPDATE", object: Review.user(["email": "alice@example.com"]),
                               oldObject: .object(old))
        let answer = try ReviewCodec().handle(body: body, as: .validating)
        let stored = try #require(answer.request.oldObject)
        #expect(stored == [
            "apiVersion": "auth.alauda.io/v1", "kind": "User", "metadata": ["name": "alice", "labels": ["team": "a"]],
        ])
        #expect(answer.request.object?["spec"]?["email"] == "alice@example.com")
        let broken = String(decoding: body, as: UTF8.self).replacingOccurrences(of: #""hunter2""#, with: "hunter2")
        #expect(throws: AdmissionDecodingError.self) {
            _ = try ReviewCodec().handle(body: Array(broken.utf8), as: .validating)
        }
    }

    @Test("warnings are valid, short, and free of control characters")
    func warningSanitizing() throws {
        let engine = RuleEngine(configuration: try RuleConfiguration(strings: ["user.state": "warn"]))
        let handler = ReviewCodec(reviewer: AdmissionReviewer(engine: engine))
        let state = String(repeating: "é", count: 80) + "\u{7}"
        let answer = try Review.answer(Review.body(object: Review.user(["email": "a@b.c", "state": .string(state)])),
                                       handler: handler)
        let warning = try #require(answer["response"]?["warnings"]?.arrayValue?.first?.stringValue)
        #expect(warning.utf8.count <= 120)
        #expect(warning.hasPrefix(#"spec.state: Unsupported value: "ééé"#))
        #expect(warning.hasSuffix("..."))
        #expect(!warning.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }
}
