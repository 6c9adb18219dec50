import IdentityRules
import Testing

@Suite("JSON reader")
struct JSONReaderTests {
    @Test("keeps integers, floats and booleans apart")
    func numberKinds() throws {
        let value = try JSONReader.parse(#"{"a": 1, "b": 1.0, "c": true, "d": -0, "e": 1e3, "f": -12}"#)
        #expect(value["a"] == .integer(1))
        #expect(value["b"] == .float(literal: "1.0"))
        #expect(value["c"] == .bool(true))
        #expect(value["d"] == .integer(0))
        #expect(value["e"] == .float(literal: "1e3"))
        #expect(value["f"] == .integer(-12))
    }

    @Test("a number beyond the 64-bit integer range is not an integer")
    func integerRange() throws {
        #expect(try JSONReader.parse("9223372036854775807") == .integer(Int64.max))
        #expect(try JSONReader.parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try JSONReader.parse("9223372036854775808") == .float(literal: "9223372036854775808"))
        #expect(try JSONReader.parse("-9223372036854775809") == .float(literal: "-9223372036854775809"))
        #expect(try JSONReader.parse("123456789012345678901234567890")
            == .float(literal: "123456789012345678901234567890"))
    }

    @Test("keeps key order and duplicate keys; lookups see the last duplicate")
    func keyOrderAndDuplicates() throws {
        let value = try JSONReader.parse(#"{"z": 1, "a": 2, "z": 3}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "a", "z"])
        #expect(object["z"] == .integer(3))
        #expect(object.duplicateMembers() == [JSONObject.Member(key: "z", value: .integer(3))])
    }

    @Test("decodes every escape, surrogate pairs included")
    func escapes() throws {
        let value = try JSONReader.parse(#""\" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 \u0041""#)
        #expect(value == .string("\" \\ / \u{08} \u{0C} \n \r \t é 😀 A"))
        #expect(try JSONReader.parse(#""Grüße, 世界""#) == .string("Grüße, 世界"))
    }

    @Test(
        "rejects malformed input with its offset",
        arguments: [
            ("", JSONReadError.Code.emptyInput, 0),
            ("   ", .emptyInput, 0),
            ("{", .unexpectedEndOfInput, 1),
            (#"{"a" 1}"#, .unexpectedCharacter, 5),
            (#"{"a": 1,}"#, .unexpectedCharacter, 8),
            ("[1 2]", .unexpectedCharacter, 3),
            ("01", .invalidNumber, 0),
            ("-", .invalidNumber, 0),
            ("1.", .invalidNumber, 0),
            ("1e", .invalidNumber, 0),
            ("tru", .unexpectedEndOfInput, 3),
            ("nul", .unexpectedEndOfInput, 3),
            ("truth", .unexpectedCharacter, 3),
            (#""\x""#, .invalidEscape, 1),
            (#""\ud83d""#, .invalidEscape, 1),
            (#""\ude00""#, .invalidEscape, 1),
            (#""\u12G4""#, .invalidEscape, 5),
            ("\"a\tb\"", .controlCharacterInString, 2),
            (#"{"a": 1} x"#, .trailingContent, 9),
            (#""abc"#, .unexpectedEndOfInput, 4),
        ]
    )
    func malformed(input: String, code: JSONReadError.Code, offset: Int) {
        do {
            let value = try JSONReader.parse(Array(input.utf8))
            Issue.record("expected \(code), got \(value)")
        } catch {
            #expect(error.code == code)
            #expect(error.offset == offset)
        }
    }

    @Test("errors say where and what")
    func errorMessage() {
        do {
            _ = try JSONReader.parse(#"{"a": x}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "invalid JSON at byte 6: unexpected character ('x')")
        }
    }

    @Test("rejects invalid UTF-8")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]  // "a\xC3(" — a broken two-byte sequence
        #expect(throws: JSONReadError.self) { _ = try JSONReader.parse(bytes) }
        do {
            _ = try JSONReader.parse(bytes)
        } catch {
            #expect(error.code == .invalidUTF8)
            #expect(error.offset == 1)
        }
    }

    @Test("accepts 256 levels of nesting and refuses 257 without overflowing the stack")
    func nestingLimit() throws {
        let deepest = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(throws: Never.self) { _ = try JSONReader.parse(deepest) }
        let tooDeep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        do {
            _ = try JSONReader.parse(tooDeep)
            Issue.record("expected nestingTooDeep")
        } catch {
            #expect(error.code == .nestingTooDeep)
            #expect(error.offset == 256)
        }
        let hostile = String(repeating: #"{"a":"#, count: 100_000)
        #expect(throws: JSONReadError.self) { _ = try JSONReader.parse(hostile) }
    }
}

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("round-trips a document byte for byte in compact form")
    func roundTrip() throws {
        let text = #"{"b":[1,-2.50e+3,true,false,null],"a":{"x":"y"},"s":"é \"q\" \\ \n\u0001","e":{},"l":[]}"#
        let value = try JSONReader.parse(text)
        #expect(JSONWriter.string(value) == text)
    }

    @Test("does not escape slashes or non-ASCII text")
    func noNeedlessEscapes() {
        #expect(JSONWriter.string(.string("admission.k8s.io/v1 — 世界")) == #""admission.k8s.io/v1 — 世界""#)
    }

    @Test("indents when asked")
    func indentation() {
        let value: JSONValue = ["a": [1, 2], "b": [:], "c": []]
        #expect(JSONWriter.string(value, indentation: 2) == """
            {
              "a": [
                1,
                2
              ],
              "b": {},
              "c": []
            }
            """)
    }
}
