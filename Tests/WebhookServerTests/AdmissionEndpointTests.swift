import KubeJSON
import IdentityGuardTesting
import Admission
import AsyncHTTPClient
import Foundation
import IdentityRules
import NIOCore
import NIOHTTP1
import Testing
import WebhookServer

/// `/validate` and `/mutate` over real TLS: exact answers for both kinds and both review versions, and a clear
/// one-line 4xx for every body that is no answerable AdmissionReview.
@Suite("Admission endpoints over TLS")
struct AdmissionEndpointTests {
    static let passwordWarning = "spec.password: Forbidden: deprecated: plain-text passwords must not be stored"
    static let stateMessage = #"spec.state: Unsupported value: "sleeping": supported values: "active", "disabled", "locked", "invalid""#

    @Test("validate and mutate answer Users exactly", arguments: [Review.v1, Review.v1beta1])
    func users(apiVersion: String) async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server in
            // Allowed.
            let allowed = try await server.review("/validate?timeout=10s", Review.allowedUser(
                uid: "u-allowed", name: "bob", apiVersion: apiVersion))
            #expect(allowed == Review.answer(apiVersion, ["uid": "u-allowed", "allowed": true]))

            // Denied, with the password warning (never the password).
            let object = Review.user("alice", ["email": "alice@example.com", "state": "sleeping", "password": "hunter2"])
            let denied = try await server.review("/validate?timeout=10s", Review.body(
                apiVersion: apiVersion, uid: "u-denied", name: "alice", object: object))
            #expect(denied == Review.answer(apiVersion, [
                "uid": "u-denied", "allowed": false,
                "status": [
                    "metadata": [:], "status": "Failure",
                    "message": .string(#"User.auth.alauda.io "alice" is invalid: "# + Self.stateMessage),
                    "reason": "Forbidden",
                    "details": [
                        "name": "alice", "group": "auth.alauda.io", "kind": "User",
                        "causes": [[
                            "reason": "FieldValueNotSupported",
                            "message": #"Unsupported value: "sleeping": supported values: "active", "disabled", "locked", "invalid""#,
                            "field": "spec.state",
                        ]],
                    ],
                    "code": 403,
                ],
                "warnings": [.string(Self.passwordWarning)],
            ]))

            // Mutate: always allowed; scrubs the password and fills is_disabled from state.
            let mutable = Review.user("dave", ["email": "dave@example.com", "state": "disabled", "password": "hunter2"])
            let mutated = try await server.review("/mutate?timeout=10s", Review.body(
                apiVersion: apiVersion, uid: "u-mutate", name: "dave", object: mutable))
            let response = try #require(mutated["response"])
            #expect(mutated.removing("response") == ["apiVersion": .string(apiVersion), "kind": "AdmissionReview"])
            #expect(response.removing("patch") == [
                "uid": "u-mutate", "allowed": true, "patchType": "JSONPatch",
                "auditAnnotations": ["scrubbed-fields": "spec.password"],
                "warnings": ["removed deprecated spec.password: plain-text passwords are not stored"],
            ])
            let encoded = try #require(response["patch"]?.stringValue)
            let patchBytes = try #require(Data(base64Encoded: encoded))
            #expect(!String(decoding: patchBytes, as: UTF8.self).contains("hunter2"))
            let patch = try JSONPatch(parsing: try JSONReader.parse(patchBytes))
            let patched = try patch.apply(to: mutable)
            #expect(patched == Review.user("dave", ["email": "dave@example.com", "state": "disabled", "is_disabled": true]))

            // The mutated object needs no further patch (the apiserver may reinvoke /mutate).
            let again = try await server.review("/mutate", Review.body(
                apiVersion: apiVersion, uid: "u-again", name: "dave", object: patched))
            #expect(again == Review.answer(apiVersion, ["uid": "u-again", "allowed": true]))

            // /validate never carries a patch, even for an object /mutate would patch.
            let validated = try await server.review("/validate", Review.body(
                apiVersion: apiVersion, uid: "u-nopatch", name: "dave", object: mutable))
            #expect(validated == Review.answer(apiVersion, [
                "uid": "u-nopatch", "allowed": true, "warnings": [.string(Self.passwordWarning)],
            ]))
        }
    }

    @Test("validate and mutate answer Identities exactly", arguments: [Review.v1, Review.v1beta1])
    func identities(apiVersion: String) async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server in
            let good = Review.identity(user: "alice", reference: ["name": "alice", "uid": "38fd79e1-0a1e-44c1-a038-fa21b052fe1d"])
            for path in ["/validate", "/mutate"] {
                let answer = try await server.review(path, Review.body(
                    apiVersion: apiVersion, uid: "i-good", kind: Review.identityKind, name: "github:alice", object: good))
                #expect(answer == Review.answer(apiVersion, ["uid": "i-good", "allowed": true]), "\(path)")
            }

            let noUID = Review.identity(user: "alice", reference: ["name": "alice"])
            let denied = try await server.review("/validate", Review.body(
                apiVersion: apiVersion, uid: "i-denied", kind: Review.identityKind, name: "github:alice", object: noUID))
            #expect(denied == Review.answer(apiVersion, [
                "uid": "i-denied", "allowed": false,
                "status": [
                    "metadata": [:], "status": "Failure",
                    "message": #"Identity.user.openshift.io "github:alice" is invalid: user.uid: Required value: uid is required when username is provided"#,
                    "reason": "Forbidden",
                    "details": [
                        "name": "github:alice", "group": "user.openshift.io", "kind": "Identity",
                        "causes": [[
                            "reason": "FieldValueRequired",
                            "message": "Required value: uid is required when username is provided",
                            "field": "user.uid",
                        ]],
                    ],
                    "code": 403,
                ],
            ]))
            // /mutate leaves what it cannot fix to /validate: allowed, no patch.
            let mutated = try await server.review("/mutate", Review.body(
                apiVersion: apiVersion, uid: "i-mutate", kind: Review.identityKind, name: "github:alice", object: noUID))
            #expect(mutated == Review.answer(apiVersion, ["uid": "i-mutate", "allowed": true]))
        }
    }

    @Test("every bad request gets its one-line 4xx, and the server keeps serving")
    func badRequests() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: { $0.maxBodyBytes = 1024 }) { server in
            func expectRejected(_ reply: Reply, _ status: HTTPResponseStatus, _ reason: String?,
                                sourceLocation: SourceLocation = #_sourceLocation)
            {
                #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
                if let reason {
                    #expect(reply.text == reason + "\n", sourceLocation: sourceLocation)
                    #expect(reply.headers["Content-Type"] == ["text/plain; charset=utf-8"], sourceLocation: sourceLocation)
                }
            }
            let good = Review.allowedUser(uid: "good")

            expectRejected(try await server.send("/validate", body: Array("not json".utf8)), .badRequest,
                           "invalid JSON at byte 1: unexpected character ('o')")
            expectRejected(try await server.send("/mutate", body: Array(#"{"a": 1"#.utf8)), .badRequest,
                           "invalid JSON at byte 7: unexpected end of input")
            expectRejected(try await server.send("/validate", body: good, contentType: "text/plain"),
                           .unsupportedMediaType, #"Content-Type must be application/json (got "text/plain")"#)
            expectRejected(try await server.send("/mutate", body: good, contentType: nil),
                           .unsupportedMediaType, "Content-Type must be application/json (got none)")
            expectRejected(try await server.send("/validate", body: Array(
                #"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}"#.utf8)),
                           .badRequest, "request is missing or not an object")
            expectRejected(try await server.send("/validate", body: Array(
                #"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"operation": "CREATE"}}"#.utf8)),
                           .badRequest, "request.uid is missing or empty")
            expectRejected(try await server.send("/validate", body: Array(
                #"{"apiVersion": "admission.k8s.io/v2", "kind": "AdmissionReview", "request": {"uid": "u"}}"#.utf8)),
                           .badRequest,
                           #"unsupported apiVersion "admission.k8s.io/v2"; expected admission.k8s.io/v1 or admission.k8s.io/v1beta1"#)
            let deep = Array((#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": "#
                + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}").utf8)
            expectRejected(try await server.send("/validate", body: deep), .badRequest,
                           "invalid JSON at byte 331: nesting too deep (more than 256 levels)")

            // Over the body limit: told by Content-Length, and streamed without a length (chunked).
            let large = Review.body(uid: "large", name: "erin",
                                    object: Review.user("erin", ["email": "erin@example.com",
                                                                 "display_name": .string(String(repeating: "x", count: 2000))]))
            expectRejected(try await server.send("/validate", body: large), .payloadTooLarge,
                           "request body of \(large.count) bytes is over the limit of 1024 bytes")
            var chunked = HTTPClientRequest(url: server.baseURL + "/validate")
            chunked.method = .POST
            chunked.headers.add(name: "Content-Type", value: "application/json")
            let chunks = stride(from: 0, to: large.count, by: 512).map {
                ByteBuffer(bytes: large[$0..<min($0 + 512, large.count)])
            }
            chunked.body = .stream(chunks.async, length: .unknown)
            expectRejected(try await send(server.client, chunked), .payloadTooLarge,
                           "request body is over the limit of 1024 bytes")

            // Unknown paths and methods.
            expectRejected(try await server.send("/admit", body: good), .notFound, nil)
            expectRejected(try await server.send("/", method: .GET, body: nil), .notFound, nil)

            // JSON with parameters is JSON; and after all that, good requests are answered.
            let withCharset = try await server.send("/validate", body: good, contentType: "application/json; charset=utf-8")
            #expect(withCharset.status == .ok)
            #expect(try withCharset.json == Review.answer(Review.v1, ["uid": "good", "allowed": true]))
            let upperCase = try await server.send("/mutate", body: good, contentType: "Application/JSON")
            #expect(upperCase.status == .ok)
            #expect(try await server.review("/validate", good) == Review.answer(Review.v1, ["uid": "good", "allowed": true]))
        }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
