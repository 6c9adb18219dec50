import Foundation
import KubeJSON
import Testing

/// The JSONTestSuite parsing corpus (nst/JSONTestSuite, `JSONTestSuite/test_parsing`, MIT): every `y_` text is
/// accepted, every `n_` text is refused with a ``JSONReadError`` (never a crash or a hang), and every `i_` text —
/// where RFC 8259 lets implementations choose — gets the behaviour documented in ``implementationDefined``.
@Suite("JSON reader: JSONTestSuite conformance")
struct JSONTestSuiteTests {
    static let directory = Bundle.module.url(forResource: "JSONTestSuite", withExtension: nil)!
        .appendingPathComponent("test_parsing")

    static func files(_ prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix(prefix) }.sorted()
    }

    static func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static let bigNumber = "numbers beyond the 64-bit integer or double range are kept as their literal (a float)"
    static let tooDeep = "deeper than the 256 levels the reader allows (a 400, never a stack overflow)"
    static let byteOrderMark = "RFC 8259 §8.1: no byte order mark; the apiserver never sends one"
    static let badSurrogate = "an unpaired or invalid UTF-16 surrogate escape is not a Unicode scalar: refused"
    static let notUTF8 = "only UTF-8 is read (RFC 8259 §8.1)"
    static let invalidUTF8 = "invalid UTF-8 is refused: JSON exchanged between systems must be UTF-8"

    /// The reader's choice for each implementation-defined text: true accepted, false refused, and why.
    static let implementationDefined: [String: (accepted: Bool, why: String)] = [
        "i_number_double_huge_neg_exp.json": (true, bigNumber),
        "i_number_huge_exp.json": (true, bigNumber),
        "i_number_neg_int_huge_exp.json": (true, bigNumber),
        "i_number_pos_double_huge_exp.json": (true, bigNumber),
        "i_number_real_neg_overflow.json": (true, bigNumber),
        "i_number_real_pos_overflow.json": (true, bigNumber),
        "i_number_real_underflow.json": (true, bigNumber),
        "i_number_too_big_neg_int.json": (true, bigNumber),
        "i_number_too_big_pos_int.json": (true, bigNumber),
        "i_number_very_big_negative_int.json": (true, bigNumber),
        "i_object_key_lone_2nd_surrogate.json": (false, badSurrogate),
        "i_string_1st_surrogate_but_2nd_missing.json": (false, badSurrogate),
        "i_string_1st_valid_surrogate_2nd_invalid.json": (false, badSurrogate),
        "i_string_UTF-16LE_with_BOM.json": (false, notUTF8),
        "i_string_UTF-8_invalid_sequence.json": (false, invalidUTF8),
        "i_string_UTF8_surrogate_U+D800.json": (false, badSurrogate),
        "i_string_incomplete_surrogate_and_escape_valid.json": (false, badSurrogate),
        "i_string_incomplete_surrogate_pair.json": (false, badSurrogate),
        "i_string_incomplete_surrogates_escape_valid.json": (false, badSurrogate),
        "i_string_invalid_lonely_surrogate.json": (false, badSurrogate),
        "i_string_invalid_surrogate.json": (false, badSurrogate),
        "i_string_invalid_utf-8.json": (false, invalidUTF8),
        "i_string_inverted_surrogates_U+1D11E.json": (false, badSurrogate),
        "i_string_iso_latin_1.json": (false, invalidUTF8),
        "i_string_lone_second_surrogate.json": (false, badSurrogate),
        "i_string_lone_utf8_continuation_byte.json": (false, invalidUTF8),
        "i_string_not_in_unicode_range.json": (false, invalidUTF8),
        "i_string_overlong_sequence_2_bytes.json": (false, invalidUTF8),
        "i_string_overlong_sequence_6_bytes.json": (false, invalidUTF8),
        "i_string_overlong_sequence_6_bytes_null.json": (false, invalidUTF8),
        "i_string_truncated-utf-8.json": (false, invalidUTF8),
        "i_string_utf16BE_no_BOM.json": (false, notUTF8),
        "i_string_utf16LE_no_BOM.json": (false, notUTF8),
        "i_structure_500_nested_arrays.json": (false, tooDeep),
        "i_structure_UTF-8_BOM_empty_object.json": (false, byteOrderMark),
    ]

    @Test("y_: accepted", arguments: files("y_"))
    func accepted(_ name: String) throws {
        #expect(throws: Never.self) { try JSONReader.parse(try Self.read(name)) }
    }

    @Test("n_: refused with an error", arguments: files("n_"))
    func refused(_ name: String) throws {
        let bytes = try Self.read(name)
        #expect(throws: JSONReadError.self) { try JSONReader.parse(bytes) }
    }

    @Test("i_: the documented choice", arguments: files("i_"))
    func implementation(_ name: String) throws {
        let expected = try #require(Self.implementationDefined[name], "no documented choice for \(name)")
        let accepted = (try? JSONReader.parse(try Self.read(name))) != nil
        #expect(accepted == expected.accepted, "\(name): \(expected.why)")
    }

    @Test("the corpus is all there: 95 y_, 188 n_, 35 i_")
    func corpus() {
        #expect(Self.files("y_").count == 95)
        #expect(Self.files("n_").count == 188)
        #expect(Self.files("i_").count == 35)
        #expect(Self.implementationDefined.count == 35)
    }
}
