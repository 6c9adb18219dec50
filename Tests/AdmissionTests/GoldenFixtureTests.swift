import KubeJSON
import IdentityGuardTesting
import Admission
import Foundation
import IdentityRules
import Testing

/// Runs every golden AdmissionReview fixture in `Fixtures/golden` through ``ReviewCodec``.
///
/// The fixtures are written by `Fixtures/make_golden.py` from the README's rule catalogue and the real apiserver captures, with
/// the expected responses spelled out by hand, so they check the Swift code independently of it. Each one is
/// a request body, the exact response (member order included), and for patches the object after the patch.
@Suite("Golden AdmissionReview fixtures")
struct GoldenFixtureTests {
    static let directory: URL? = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
        .appendingPathComponent("golden", isDirectory: true)

    static let fixtureNames: [String] = {
        guard let directory,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test("the fixture set is complete")
    func fixturesArePresent() {
        // Exact: a fixture lost in a rename or a copy would otherwise pass unnoticed.
        #expect(Self.fixtureNames.count == 75)
    }

    @Test("fixture", arguments: fixtureNames)
    func fixture(_ name: String) throws {
        let fixture = try Self.load(name)
        let path = try #require(fixture["path"]?.stringValue)
        let webhook: WebhookType = path == "/mutate" ? .mutating : .validating
        #expect(path == "/mutate" || path == "/validate")
        let request = try #require(fixture["request"])
        let expected = try #require(fixture["response"])
        let handler = try Self.handler(for: fixture)

        let answer = try handler.handle(body: JSONWriter.serialize(request), as: webhook)
        let actual = try JSONReader.parse(answer.body)
        let responseMatches = actual == expected
        #expect(responseMatches,
                "\(name):\n  got      \(JSONWriter.string(actual))\n  expected \(JSONWriter.string(expected))")

        let response = try #require(actual["response"])
        if webhook == .validating {
            #expect(response["patch"] == nil, "\(name): a /validate answer must not carry a patch")
            #expect(response["patchType"] == nil, "\(name): a /validate answer must not carry a patchType")
            return
        }
        if response["status"] == nil {
            #expect(response["allowed"] == .bool(true), "\(name): /mutate always allows")
        }
        guard let encoded = response["patch"]?.stringValue else {
            #expect(fixture["patched"] == nil, "\(name): expected a patch")
            #expect(response["patchType"] == nil)
            return
        }
        #expect(response["patchType"] == .string("JSONPatch"))

        // The patch turns the request's object into the expected object.
        let patchBytes = try #require(Data(base64Encoded: encoded), "\(name): patch is not base64")
        let patch = try JSONPatch(parsing: JSONReader.parse(Array(patchBytes)))
        #expect(!patch.isEmpty, "\(name): an empty patch must be omitted")
        let object = try #require(request["request"]?["object"])
        let patchedObject = try patch.apply(to: object)
        let expectedObject = try #require(fixture["patched"], "\(name): fixture has no \"patched\" object")
        // Member order included: JSON Patch keeps a replaced member in place and appends added ones.
        let objectMatches = patchedObject == expectedObject
        #expect(objectMatches,
                "\(name): patched object\n  got      \(JSONWriter.string(patchedObject))\n  expected \(JSONWriter.string(expectedObject))")

        // Idempotent: /mutate on its own output has nothing more to patch (the apiserver may reinvoke it).
        let again = try handler.handle(body: JSONWriter.serialize(Self.replacingObject(in: request, with: patchedObject)),
                                       as: .mutating)
        let secondResponse = try #require(JSONReader.parse(again.body)["response"])
        #expect(secondResponse["allowed"] == .bool(true), "\(name): reinvocation must allow")
        #expect(secondResponse["patch"] == nil, "\(name): reinvoking /mutate on the patched object patched again")
        #expect(secondResponse["patchType"] == nil)
        #expect(secondResponse["warnings"] == nil, "\(name): reinvocation should have nothing to warn about")
        #expect(secondResponse["auditAnnotations"] == nil)
    }

    // MARK: - Helpers

    static func load(_ name: String) throws -> JSONValue {
        let directory = try #require(directory, "Fixtures/golden is not in the test bundle")
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONReader.parse(Array(data))
    }

    /// The handler the fixture describes: its rule configuration and the Users its email index knows.
    static func handler(for fixture: JSONValue) throws -> ReviewCodec {
        let configuration = try RuleConfiguration(document: fixture["config"] ?? .object(JSONObject()))
        var users: [(name: String, email: String)] = []
        for entry in fixture["users"]?.arrayValue ?? [] {
            let name = try #require(entry["name"]?.stringValue)
            let email = try #require(entry["email"]?.stringValue)
            users.append((name: name, email: email))
        }
        let reviewer = AdmissionReviewer(engine: RuleEngine(configuration: configuration),
                                         emailIndex: InMemoryEmailIndex(users))
        return ReviewCodec(reviewer: reviewer)
    }

    /// The same AdmissionReview with `request.object` replaced.
    static func replacingObject(in review: JSONValue, with object: JSONValue) throws -> JSONValue {
        var root = try #require(review.objectValue)
        var request = try #require(root["request"]?.objectValue)
        request["object"] = object
        root["request"] = .object(request)
        return .object(root)
    }

}
