import KubeJSON
import IdentityGuardTesting
import Admission
import IdentityRules
import Testing

/// Violation floods: an object built to break a rule hundreds of thousands of times is denied with a bounded
/// answer (at most 100 causes, then one that counts the rest by rule), built in linear time. Bounded work is
/// asserted by sizes and counts, never by the clock.
@Suite("Admission answers are bounded")
struct AnswerBoundsTests {
    /// A User CREATE whose `spec.groups` holds `count` copies of one group: `count - 1` duplicates.
    static func duplicateGroups(_ count: Int) -> [UInt8] {
        let groups = JSONValue.array(Array(repeating: .string("grp"), count: count))
        return Review.body(uid: "flood", name: "alice",
                           object: Review.user("alice", ["email": "alice@example.com", "groups": groups]))
    }

    /// A User CREATE whose `spec` carries `count` unknown keys.
    static func unknownKeys(_ count: Int) -> [UInt8] {
        var members = [JSONObject.Member(key: "email", value: "alice@example.com")]
        for index in 0..<count { members.append(.init(key: "k\(index)", value: .integer(1))) }
        let spec = JSONObject(members)
        return Review.body(uid: "flood", name: "alice", object: Review.user("alice", .object(spec)))
    }

    @Test("200,000 duplicate groups: denied under 64 KiB, Too many, 99 causes and one naming the rule and the rest")
    func duplicateGroupFlood() throws {
        let body = Self.duplicateGroups(200_001)
        #expect(body.count > 1_000_000)
        let answer = try ReviewCodec().handle(body: body, as: .validating)
        #expect(answer.body.count < 64 * 1024)
        let response = try #require(try JSONReader.parse(answer.body)["response"])
        #expect(response["allowed"] == false)
        let causes = try #require(response["status"]?["details"]?["causes"]?.arrayValue)
        #expect(causes.count == 101)
        #expect(causes[0] == ["reason": "FieldValueTooMany",
                              "message": "Too many: 200001: must have at most 10000 items", "field": "spec.groups"])
        #expect(causes[1] == ["reason": "FieldValueDuplicate", "message": #"Duplicate value: "grp""#,
                              "field": "spec.groups[1]"])
        #expect(causes[99]["field"] == "spec.groups[99]")
        #expect(causes[100] == ["reason": "TooManyViolations",
                                "message": "199901 more violations not shown (user.formats: 199901)", "field": ""])
        let message = try #require(response["status"]?["message"]?.stringValue)
        #expect(message.hasPrefix(#"User.auth.alauda.io "alice" is invalid: [spec.groups: Too many: 200001: "#
            + #"must have at most 10000 items, spec.groups[1]: Duplicate value: "grp", "#))
        #expect(message.hasSuffix(#"spec.groups[99]: Duplicate value: "grp", "#
            + "199901 more violations not shown (user.formats: 199901)]"))
        #expect(answer.outcome.ruleIDs == ["user.formats"])
    }

    @Test("100,000 unknown keys: denied under 64 KiB, 100 causes and one naming the rule and the rest")
    func unknownKeyFlood() throws {
        let answer = try ReviewCodec().handle(body: Self.unknownKeys(100_000), as: .validating)
        #expect(answer.body.count < 64 * 1024)
        let response = try #require(try JSONReader.parse(answer.body)["response"])
        let causes = try #require(response["status"]?["details"]?["causes"]?.arrayValue)
        #expect(causes.count == 101)
        #expect(causes[100] == ["reason": "TooManyViolations",
                                "message": "99900 more violations not shown (user.schema: 99900)", "field": ""])
        let message = try #require(response["status"]?["message"]?.stringValue)
        #expect(message.hasSuffix(", 99900 more violations not shown (user.schema: 99900)]"))
    }

    @Test("warned, not denied: 100 warnings and one counting the 199,901 more the engine never built")
    func warnedFlood() throws {
        let engine = RuleEngine(configuration: try RuleConfiguration(strings: ["user.formats": "warn"]))
        let codec = ReviewCodec(reviewer: AdmissionReviewer(engine: engine))
        let answer = try codec.handle(body: Self.duplicateGroups(200_001), as: .validating)
        #expect(answer.body.count < 64 * 1024)
        let response = try #require(try JSONReader.parse(answer.body)["response"])
        #expect(response["allowed"] == true)
        let warnings = try #require(response["warnings"]?.arrayValue)
        #expect(warnings.count == 101)
        #expect(warnings[0] == "spec.groups: Too many: 200001: must have at most 10000 items")
        #expect(warnings[1] == #"spec.groups[1]: Duplicate value: "grp""#)
        #expect(warnings[100] == "199901 more warnings not shown")
    }

    @Test("two floods at once: each rule's count in the last cause")
    func twoFloods() throws {
        var members = [JSONObject.Member(key: "email", value: "alice@example.com"),
                       .init(key: "groups", value: .array(Array(repeating: .string("g"), count: 5_001)))]
        for index in 0..<3_000 { members.append(.init(key: "k\(index)", value: .integer(1))) }
        let body = Review.body(uid: "two", name: "alice", object: Review.user("alice", .object(JSONObject(members))))
        let answer = try ReviewCodec().handle(body: body, as: .validating)
        let response = try #require(try JSONReader.parse(answer.body)["response"])
        let causes = try #require(response["status"]?["details"]?["causes"]?.arrayValue)
        #expect(causes.count == 101)
        // 100 of user.formats sort first (spec.groups[…] < spec.k…); the engine built 100 of each rule.
        #expect(causes[99]["field"] == "spec.groups[100]")
        #expect(causes[100]["message"]
            == "7900 more violations not shown (user.schema: 3000, user.formats: 4900)")
        #expect(answer.outcome.ruleIDs == ["user.formats", "user.schema"])
    }

    @Test("exactly 100 causes need no summary; 101 get one", arguments: [100, 101])
    func boundary(violations: Int) throws {
        let answer = try ReviewCodec().handle(body: Self.duplicateGroups(violations + 1), as: .validating)
        let response = try #require(try JSONReader.parse(answer.body)["response"])
        let causes = try #require(response["status"]?["details"]?["causes"]?.arrayValue)
        if violations == 100 {
            #expect(causes.count == 100)
            #expect(causes.last?["field"] == "spec.groups[100]")
        } else {
            #expect(causes.count == 101)
            #expect(causes.last?["message"] == "1 more violations not shown (user.formats: 1)")
        }
    }

    @Test("a huge group name is cut in its cause and the message: the answer stays small")
    func longValues() throws {
        let long = String(repeating: "\u{7}\"x", count: 20_000)
        let groups: JSONValue = .array([.string(long), .string(long), .string(long)])
        let body = Review.body(uid: "long", name: "alice",
                               object: Review.user("alice", ["email": "alice@example.com", "groups": groups]))
        let answer = try ReviewCodec().handle(body: body, as: .validating)
        #expect(answer.body.count < 64 * 1024)
        let response = try #require(try JSONReader.parse(answer.body)["response"])
        let causes = try #require(response["status"]?["details"]?["causes"]?.arrayValue)
        #expect(causes.count == 2)
        for cause in causes {
            let text = try #require(cause["message"]?.stringValue)
            #expect(text.utf8.count <= AnswerBounds.maximumTextLength)
            #expect(text.hasSuffix("..."))
        }
    }

    @Test("more than 100 warnings: 100 and one that counts the rest")
    func warnings() {
        let many = (0..<250).map { "warning \($0)" }
        let response = AdmissionResponse(uid: "w").warning(Array(many[..<150])).warning(Array(many[150...]))
        #expect(response.warnings.count == 101)
        #expect(response.warnings[99] == "warning 99")
        #expect(response.warnings[100] == "150 more warnings not shown")
        let few = AdmissionResponse(uid: "w").warning(["a"]).warning(["b"])
        #expect(few.warnings == ["a", "b"])
    }

    @Test("20,000 identical messages are joined once")
    func identicalMessages() {
        let violation = Violation(rule: "user.schema", field: FieldPath("spec", "x"), type: .invalid,
                                  badValue: .string("v"))
        let response = AdmissionResponse(uid: "d").denied(kind: .user, name: "alice",
                                                          violations: Array(repeating: violation, count: 20_000))
        #expect(response.status?.message == #"User.auth.alauda.io "alice" is invalid: spec.x: Invalid value: "v""#)
        #expect(response.status?.details?.causes.count == 101)
    }
}
