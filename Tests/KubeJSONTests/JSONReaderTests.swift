@testable import KubeJSON
import Testing

@Suite("JSON reader")
struct JSONReaderTests {
    @Test("duplicate keys are found in objects of every size, at every position, among keys of one length")
    func duplicateKeysEverySize() throws {
        // Keys of equal UTF-8 length that differ (the cheap length check must not decide alone), non-ASCII too.
        let pool = ["ab", "ba", "é", "cd", "email", "state", "valid", "ém", "groups", "aé", "uid", "UID", "name",
                    "kind", "spec", "Spec", "status", "labels", "x", "y", "zz"]
        for size in 1...pool.count {
            let keys = Array(pool.prefix(size))
            let unique = "{" + keys.map { #""\#($0)": 1"# }.joined(separator: ",") + "}"
            #expect(try JSONReader.parse(unique).objectValue?.containsDuplicateKeys == false, "\(keys)")
            for first in 0..<size {
                for second in first..<size {
                    var repeated = keys
                    repeated.insert(keys[first], at: second + 1)
                    let text = "{" + repeated.map { #""\#($0)": 1"# }.joined(separator: ",") + "}"
                    let object = try #require(try JSONReader.parse(text).objectValue)
                    #expect(object.containsDuplicateKeys, "\(repeated)")
                    #expect(object.duplicateMembers().map(\.key) == [keys[first]], "\(repeated)")
                }
            }
        }
        // Nested: the flag rises through objects and arrays.
        #expect(try JSONReader.parse(#"{"a": [1, [{"b": {"c": 1, "c": 2}}]]}"#).objectValue?.containsDuplicateKeys
            == true)
        #expect(try JSONReader.parse(#"{"a": [1, [{"b": {"c": 1, "d": 2}}]], "e": 1}"#).objectValue?
            .containsDuplicateKeys == false)
    }

    @Test("a vocabulary hands out its own words and nothing else: near misses of every length are read as written")
    func vocabulary() throws {
        let words = ["ab", "metadata", "spec.ema", "apiVersion", "managedFields", "creationTimestamp",
                     "0123456789abcdef", "0123456789abcdefX", "0123456789abcdefghijklmnopqrstuv",
                     "0123456789abcdefghijklmnopqrstuvw"]  // the last is over the 32-byte limit: ignored
        let vocabulary = JSONVocabulary(words: words + words)
        let misses = ["a", "ac", "metadatA", "metadat", "Metadata", "apiVersioN", "apiversion", "creationTimestamP",
                      "creationTimestampX", "0123456789abcdeF", "0123456789abcdefY", "0123456789Abcdef",
                      "0123456789abcdefghijklmnopqrstuV", "0123456789abcdefghiJklmnopqrstuv",
                      "0123456789abcdefghijklmnopqrstu", "", "métadata"]
        let all = words + misses
        let text = "{" + all.enumerated().map { #""\#($0.element)": ["\#($0.element)", \#($0.offset)]"# }
            .joined(separator: ",") + "}"
        let withWords = try JSONReader.parse(Array(text.utf8), vocabulary: vocabulary)
        #expect(withWords == (try JSONReader.parse(text)))
        let members = try #require(withWords.objectValue?.members)
        #expect(members.map(\.key) == all)
        #expect(members.map { $0.value.arrayValue?.first?.stringValue } == all)
        // The reader's result is the same either way, so the lookup itself: every word found, alone in its buffer
        // (the byte-at-a-time end) and with bytes after it (one load per 8 bytes), and no near miss.
        for word in words + misses {
            let expected = words.dropLast().contains(word) && word.utf8.count > 1 ? word : nil
            for bytes in [Array(word.utf8), Array(word.utf8) + Array(#"", "after": 1}"#.utf8)] {
                let found = bytes.withUnsafeBufferPointer { vocabulary.lookup($0, from: 0, count: word.utf8.count) }
                #expect(found == expected, "\(word) in \(bytes.count) bytes")
            }
        }
    }

    @Test("a vocabulary's words and near misses at the very end of the input, where no 8-byte load fits")
    func vocabularyAtTheEnd() throws {
        let words = ["ab", "metadata", "apiVersion", "0123456789abcdef", "0123456789abcdefX"]
        let vocabulary = JSONVocabulary(words: words)
        for text in words + ["ac", "metadatA", "apiVersioN", "0123456789abcdeF", "0123456789abcdefY"] {
            for document in [#""\#(text)""#, #"["\#(text)"]"#, #"{"\#(text)":"\#(text)"}"#] {
                #expect(try JSONReader.parse(Array(document.utf8), vocabulary: vocabulary)
                    == (try JSONReader.parse(document)), "\(document)")
            }
            #expect(try JSONReader.parse(Array(#""\#(text)""#.utf8), vocabulary: vocabulary) == .string(text))
        }
    }

    @Test("strings end, escape, hold non-ASCII text and fail at every position of their 8-byte words, read or skipped")
    func stringsAtEveryPosition() throws {
        let skipKey: JSONSkipList = [["k"]]
        for length in 1...20 {
            for position in 0..<length {
                func text(_ special: [UInt8]) -> [UInt8] {
                    let filler = Array("abcdefghijklmnopqrstuvwxyz".utf8)
                    return Array(filler[..<position]) + special + Array(filler[position..<(length - 1)])
                }
                // In the middle of a document the string is scanned a word at a time; alone, its last bytes
                // one at a time.
                func documents(_ string: [UInt8]) -> [[UInt8]] {
                    [Array(#"{"k":""#.utf8) + string + Array(#"","tail":"0123456789abcdef"}"#.utf8),
                     [UInt8(ascii: "\"")] + string + [UInt8(ascii: "\"")]]
                }
                let cases: [([UInt8], String?, JSONReadError.Code?)] = [
                    (text(Array("x".utf8)), String(decoding: text(Array("x".utf8)), as: UTF8.self), nil),
                    (text(Array(#"\n"#.utf8)), String(decoding: text([0x0A]), as: UTF8.self), nil),
                    (text(Array(#"\""#.utf8)), String(decoding: text(Array(#"""#.utf8)), as: UTF8.self), nil),
                    (text(Array("é".utf8)), String(decoding: text(Array("é".utf8)), as: UTF8.self), nil),
                    (text([0x01]), nil, .controlCharacterInString),
                    (text([0xFF]), nil, .invalidUTF8),
                    (text([0xC3]), nil, .invalidUTF8),  // a lead byte whose continuation is the closing quote
                ]
                for (string, expected, failure) in cases {
                    let (inObject, alone) = (documents(string)[0], documents(string)[1])
                    let label = "\(length), \(position): \(string)"
                    if let expected {
                        #expect(try JSONReader.parse(inObject)["k"] == .string(expected), "\(label)")
                        #expect(try JSONReader.parse(alone) == .string(expected), "\(label)")
                        #expect(try JSONReader.parse(inObject, skipping: skipKey)["k"] == nil, "\(label)")
                        continue
                    }
                    // The string's text starts after `{"k":"` in the object, after `"` alone; a control byte is
                    // reported where it stands, invalid UTF-8 where its string starts.
                    for (document, skipped, textStart) in [(inObject, JSONSkipList.none, 6), (inObject, skipKey, 6),
                                                           (alone, JSONSkipList.none, 1)] {
                        let error = #expect(throws: JSONReadError.self, "\(label)") {
                            try JSONReader.parse(document, skipping: skipped)
                        }
                        #expect(error?.code == failure, "\(label)")
                        #expect(error?.offset == textStart + (failure == .controlCharacterInString ? position : 0),
                                "\(label)")
                    }
                }
            }
        }
    }

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

    @Test("skipped members are checked like the rest but left out")
    func skipping() throws {
        let text = #"{"a": {"big": [{"x": "y\u00e9"}, 1.5e3, null], "keep": 1}, "big": 2, "b": [{"big": 3}]}"#
        let value = try JSONReader.parse(Array(text.utf8), skipping: [["a", "big"], ["b", "big"]])
        #expect(value == ["a": ["keep": 1], "big": 2, "b": [["big": 3]]])
        let broken = #"{"a": {"big": [1, 2,], "keep": 1}}"#
        do {
            _ = try JSONReader.parse(Array(broken.utf8), skipping: [["a", "big"]])
            Issue.record("a syntax error in a skipped member must still be an error")
        } catch {
            #expect(error.code == .unexpectedCharacter)
            #expect(error.offset == 20)
        }
        let control = "{\"a\": {\"big\": \"x\ty\"}}"
        #expect(throws: JSONReadError.self) { _ = try JSONReader.parse(Array(control.utf8), skipping: [["a", "big"]]) }
        let deep = #"{"a": {"big": "# + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}}"
        #expect(throws: JSONReadError.self) { _ = try JSONReader.parse(Array(deep.utf8), skipping: [["a", "big"]]) }
        let badUTF8: [UInt8] = Array(#"{"a": {"big": ""#.utf8) + [0xC3, 0x28] + Array(#""}}"#.utf8)
        #expect(throws: JSONReadError.self) { _ = try JSONReader.parse(badUTF8, skipping: [["a", "big"]]) }
    }

    @Test("skipped paths run through arrays (\"\"), share prefixes, and match only their own keys at their depth")
    func skippingThroughArrays() throws {
        let skip: JSONSkipList = [["items", "", "metadata", "managedFields"], ["items", "", "status"], ["kind"]]
        let text = #"""
            {"kind": "List", "items": [
              {"metadata": {"name": "a", "managedFields": [{"x": 1}]}, "status": {"s": 1}, "spec": {}},
              {"metadata": {"managedFields": [], "name": "b", "labels": {"status": "x"}}}
            ],
            "itemz": [{"metadata": {"managedFields": 2}}], "metadata": {"managedFields": 1}, "status": 3}
            """#
        let value = try JSONReader.parse(Array(text.utf8), skipping: skip)
        #expect(value == [
            "items": [["metadata": ["name": "a"], "spec": [:]], ["metadata": ["name": "b", "labels": ["status": "x"]]]],
            "itemz": [["metadata": ["managedFields": 2]]], "metadata": ["managedFields": 1], "status": 3,
        ])
        // The same list made from an array of paths, and no paths at all.
        #expect(try JSONReader.parse(Array(text.utf8), skipping: JSONSkipList(skip.paths)) == value)
        #expect(try JSONReader.parse(Array(text.utf8), skipping: .none) == JSONReader.parse(Array(text.utf8)))
    }

    @Test("skipped keys over 63 bytes, of one length or two, and paths that end where others go on")
    func skippingLongKeysAndPrefixes() throws {
        let long = String(repeating: "k", count: 70)
        let otherLong = String(repeating: "k", count: 65)
        let nearMiss = String(repeating: "k", count: 69) + "j"
        let skip: JSONSkipList = [[long], ["a", "b"], ["a", "b", "c"], ["a", "bb"], ["x", "", "y"]]
        let text = #"{"\#(long)": 1, "\#(otherLong)": 2, "\#(nearMiss)": 3, "a": {"b": {"c": 1}, "bb": 2, "bc": 3},"#
            + #" "x": [{"y": 1, "z": 2}, [{"y": 3}]]}"#
        let value = try JSONReader.parse(Array(text.utf8), skipping: skip)
        #expect(value == [otherLong: 2, nearMiss: 3, "a": ["bc": 3], "x": [["z": 2], [["y": 3]]]])
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

    @Test("documents come out whole through every growth of the buffer, written fresh or continuing a buffer")
    func growth() throws {
        for size in [0, 1, 7, 63, 64, 65, 200, 2_000] {
            // Strings of every length up to 40, some with an escape: pieces stored inline and with memcpy.
            let strings = (0..<size).map { index in
                (String(repeating: "x", count: index % 41), index % 5 == 0)
            }
            let value = JSONValue.array(strings.map { .string($0.0 + ($0.1 ? "\"\n" : "")) })
            let expected = "[" + strings.map { #"""# + $0.0 + ($0.1 ? #"\"\n"# : "") + #"""# }
                .joined(separator: ",") + "]"
            #expect(JSONWriter.string(value) == expected, "\(size)")
            for capacity in [0, 16, 4_096] {
                var line = Array("earlier line\n".utf8)
                line.reserveCapacity(capacity)
                var writer = JSONWriter(continuing: &line)
                #expect(line.isEmpty)
                writer.write(value)
                #expect(writer.bytes == Array(("earlier line\n" + expected).utf8), "\(size), \(capacity)")
                let taken = writer.takeBytes()
                #expect(taken == Array(("earlier line\n" + expected).utf8), "\(size), \(capacity)")
                #expect(writer.bytes.isEmpty)
                writer.writeString("again")
                #expect(writer.takeBytes() == Array(#""again""#.utf8))
            }
        }
    }

    @Test("strings longer than the buffer's growth step come out whole, with and without escapes, in any buffer")
    func longStrings() throws {
        for length in [255, 256, 257, 1_023, 1_024, 1_025, 5_000] {
            for escapeAt in [nil, 0, length / 2, length - 1] {
                var characters = Array(repeating: "é", count: length)
                if let escapeAt { characters[escapeAt] = "\u{01}" }
                let text = characters.joined()
                let escaped = characters.map { $0 == "\u{01}" ? #"\u0001"# : $0 }.joined()
                var writer = JSONWriter(reservingCapacity: 0)
                writer.beginArray()
                writer.beginElement()
                writer.writeString(text)
                writer.writeKey(literal: "k")  // not a member of an array, but it shows the comma and key in place
                writer.endArray()
                let expected = #"[""# + escaped + #"","k":]"#
                #expect(writer.takeBytes() == Array(expected.utf8), "\(length), \(String(describing: escapeAt))")
                var continued = Array("x".utf8)
                var more = JSONWriter(continuing: &continued)
                more.writeString(text)
                #expect(more.takeBytes() == Array(("x\"" + escaped + "\"").utf8))
            }
        }
    }

    @Test("members encoded once go into an object as its first members or after others")
    func encodedMembers() {
        let encoded = Array(#""a":1,"b":"x""#.utf8)
        var first = JSONWriter()
        first.beginObject()
        first.writeEncodedMembers(encoded)
        first.writeMember(literal: "c", "y")
        first.endObject()
        #expect(String(decoding: first.bytes, as: UTF8.self) == #"{"a":1,"b":"x","c":"y"}"#)
        var after = JSONWriter()
        after.beginObject()
        after.writeMember(literal: "z", "w")
        after.writeEncodedMembers(encoded)
        after.writeEncodedMembers([])
        after.endObject()
        #expect(String(decoding: after.bytes, as: UTF8.self) == #"{"z":"w","a":1,"b":"x"}"#)
    }

    @Test("keys written in the program come out as any other key does, compact and indented, first or not")
    func literalKeys() {
        for indentation in [nil, 2] {
            var literal = JSONWriter(indentation: indentation)
            var string = JSONWriter(indentation: indentation)
            literal.beginObject()
            string.beginObject()
            literal.writeKey(literal: "uid")
            string.writeKey("uid")
            literal.writeString("1")
            string.writeString("1")
            literal.writeMember(literal: "dry_run", "true")
            string.writeMember("dry_run", "true")
            literal.writeKey(literal: "nested")
            string.writeKey("nested")
            literal.beginObject()
            string.beginObject()
            literal.writeMember(literal: "a.b/c-d", "")
            string.writeMember("a.b/c-d", "")
            literal.endObject()
            string.endObject()
            literal.endObject()
            string.endObject()
            #expect(literal.bytes == string.bytes, "\(String(describing: indentation))")
            #expect(String(decoding: literal.bytes, as: UTF8.self) == (indentation == nil
                ? #"{"uid":"1","dry_run":"true","nested":{"a.b/c-d":""}}"#
                : "{\n  \"uid\": \"1\",\n  \"dry_run\": \"true\",\n  \"nested\": {\n    \"a.b/c-d\": \"\"\n  }\n}"))
        }
    }

    @Test("escapes and control characters are found at every position around the 8-byte word boundaries")
    func wordBoundaries() throws {
        for length in 0...24 {
            for position in 0..<max(length, 1) {
                for special in ["\"", "\\", "\n", "\u{01}", "é", "😀"] {
                    var characters = Array(repeating: "a", count: length)
                    if length > 0 { characters[position] = special }
                    let text = characters.joined()
                    let written = JSONWriter.serialize(.string(text))
                    #expect(try JSONReader.parse(written) == .string(text))
                    #expect(try JSONReader.parse(written, skipping: [["x"]]) == .string(text))
                    let wrapped = Array(#"{"x": "#.utf8) + written + Array("}".utf8)
                    #expect(try JSONReader.parse(wrapped, skipping: [["x"]]) == [:])
                }
                // A raw control character must be refused wherever it stands, skipped or not.
                var raw = Array(repeating: UInt8(ascii: "a"), count: max(length, 1))
                raw[position] = 0x09
                let body = Array(#"{"x": ""#.utf8) + raw + Array(#""}"#.utf8)
                for skipping: JSONSkipList in [[], [["x"]]] {
                    do {
                        _ = try JSONReader.parse(body, skipping: skipping)
                        Issue.record("control character at \(position) of \(length) not refused")
                    } catch {
                        #expect(error.code == .controlCharacterInString)
                        #expect(error.offset == 7 + position)
                    }
                }
            }
        }
    }

    @Test("commas are right at every depth, across the 64 levels kept in a word and below them")
    func deepNesting() throws {
        for depth in [1, 63, 64, 65, 66, 130, 200] {
            // Each level: an object holding a number, the next level, and an array with a number and an empty array.
            var text = "0"
            for level in 0..<depth { text = #"{"a":\#(level),"b":\#(text),"c":[\#(level),[]]}"# }
            let value = try JSONReader.parse(text)
            #expect(JSONWriter.string(value) == text, "depth \(depth)")
            #expect(try JSONReader.parse(JSONWriter.serialize(value, indentation: 1)) == value, "depth \(depth)")
        }
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
