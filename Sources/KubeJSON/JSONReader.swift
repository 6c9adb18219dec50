/// Reads RFC 8259 JSON into ``JSONValue``, fast enough for the admission hot path.
///
/// Foundation's readers cost more than the rest of a request and lose integer/float/boolean distinctions and
/// duplicate keys (README, "Performance"). This reader works on contiguous bytes, validates UTF-8,
/// decodes every escape (surrogate pairs included), keeps numbers beyond the 64-bit integer range as floats,
/// and stops at a bounded nesting depth with an error instead of overflowing the stack.
public struct JSONReader {
    /// The deepest nesting of arrays and objects accepted by default (README, "The admission protocol").
    public static let defaultMaximumDepth = 256

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int = 0
    private let maximumDepth: Int
    private var depth: Int = 0
    private var scratch: [UInt8] = []
    /// Object members to check but not build (see ``parse(_:maximumDepth:skipping:vocabulary:)``).
    private let skipped: JSONSkipList

    /// Words handed out prebuilt instead of decoded (see ``JSONVocabulary``).
    private let vocabulary: JSONVocabulary?

    private init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int, skipping skipped: JSONSkipList,
                 vocabulary: JSONVocabulary?) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.vocabulary = vocabulary
        self.skipped = skipped
    }

    /// Parses one JSON value that must fill `input` (white space around it allowed).
    ///
    /// - Parameter skipped: key paths of object members (`["request", "userInfo"]`) that are checked to be
    ///   well-formed JSON like everything else but left out of the result, because the caller never looks at
    ///   them. The admission path skips `managedFields` and the like, a good part of every request; it makes its
    ///   ``JSONSkipList`` once.
    public static func parse(
        _ input: some Collection<UInt8>,
        maximumDepth: Int = defaultMaximumDepth,
        skipping skipped: JSONSkipList = .none,
        vocabulary: JSONVocabulary? = nil
    ) throws(JSONReadError) -> JSONValue {
        let result: Result<JSONValue, JSONReadError>? = input.withContiguousStorageIfAvailable { buffer in
            parse(buffer: buffer, maximumDepth: maximumDepth, skipping: skipped, vocabulary: vocabulary)
        }
        if let result { return try result.get() }
        let copy = Array(input)
        return try copy.withUnsafeBufferPointer {
            parse(buffer: $0, maximumDepth: maximumDepth, skipping: skipped, vocabulary: vocabulary)
        }.get()
    }

    /// Parses a JSON text held in a string.
    public static func parse(_ text: String, maximumDepth: Int = defaultMaximumDepth)
        throws(JSONReadError) -> JSONValue
    {
        try parse(Array(text.utf8), maximumDepth: maximumDepth)
    }

    private static func parse(
        buffer: UnsafeBufferPointer<UInt8>,
        maximumDepth: Int,
        skipping skipped: JSONSkipList,
        vocabulary: JSONVocabulary?
    ) -> Result<JSONValue, JSONReadError> {
        var reader = JSONReader(bytes: buffer, maximumDepth: maximumDepth, skipping: skipped, vocabulary: vocabulary)
        do throws(JSONReadError) {
            reader.skipWhitespace()
            if reader.index == buffer.count { throw JSONReadError(.emptyInput, offset: 0) }
            let value = try reader.readValue(onPaths: skipped.rootMask)
            reader.skipWhitespace()
            if reader.index != buffer.count { throw JSONReadError(.trailingContent, offset: reader.index) }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Values

    /// Reads the value at `index`; `paths` are the skipped paths it lies on (a mask of ``JSONSkipList/paths``).
    private mutating func readValue(onPaths paths: UInt64 = 0) throws(JSONReadError) -> JSONValue {
        guard index < bytes.count else { throw JSONReadError(.unexpectedEndOfInput, offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object(try readObject(onPaths: paths))
        case UInt8(ascii: "["): return .array(try readArray(onPaths: paths))
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw unexpected()
        }
    }

    private mutating func enterContainer() throws(JSONReadError) {
        depth += 1
        if depth > maximumDepth {
            throw JSONReadError(.nestingTooDeep, offset: index, context: "more than \(maximumDepth) levels")
        }
        index += 1
    }

    private mutating func readObject(onPaths paths: UInt64) throws(JSONReadError) -> JSONObject {
        try enterContainer()
        let level = depth - 1
        var members: [JSONObject.Member] = []
        members.reserveCapacity(12)  // a metadata or a User spec has up to a dozen keys: one allocation
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return JSONObject(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw unexpected(expecting: "a string key") }
            let key = try readString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw unexpected(expecting: "':'") }
            index += 1
            skipWhitespace()
            if paths != 0 {
                let (skip, below) = skipped.member(key, at: level, of: paths)
                if skip {
                    try skipValue()
                } else {
                    members.append(JSONObject.Member(key: key, value: try readValue(onPaths: below)))
                }
            } else {
                members.append(JSONObject.Member(key: key, value: try readValue()))
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return JSONObject(members)
            default:
                throw unexpected(expecting: "',' or '}'")
            }
        }
    }

    private mutating func readArray(onPaths paths: UInt64) throws(JSONReadError) -> [JSONValue] {
        try enterContainer()
        var elements: [JSONValue] = []
        elements.reserveCapacity(4)
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return elements
        }
        let below = paths == 0 ? 0 : skipped.elements(at: depth - 1, of: paths)
        while true {
            skipWhitespace()
            elements.append(try readValue(onPaths: below))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return elements
            default:
                throw unexpected(expecting: "',' or ']'")
            }
        }
    }

    /// Checks one value like ``readValue(onPaths:)`` does, building nothing.
    private mutating func skipValue() throws(JSONReadError) {
        guard index < bytes.count else { throw JSONReadError(.unexpectedEndOfInput, offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try enterContainer()
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw unexpected(expecting: "a string key") }
                try skipString()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw unexpected(expecting: "':'") }
                index += 1
                skipWhitespace()
                try skipValue()
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    depth -= 1
                    return
                default: throw unexpected(expecting: "',' or '}'")
                }
            }
        case UInt8(ascii: "["):
            try enterContainer()
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return
            }
            while true {
                skipWhitespace()
                try skipValue()
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    depth -= 1
                    return
                default: throw unexpected(expecting: "',' or ']'")
                }
            }
        case UInt8(ascii: "\""):
            try skipString()
        default:
            _ = try readValue()
        }
    }

    /// Checks a string (escapes, control characters, UTF-8) without making a `String` of ASCII text. Inlined in
    /// ``skipValue()``, the only caller: a skipped `managedFields` holds dozens of short strings, and a call's
    /// prologue and epilogue were a fifth of each one's cost.
    @inline(__always)
    private mutating func skipString() throws(JSONReadError) {
        var highBits: UInt8 = 0
        let end = JSONStringScan.firstSpecial(in: bytes, from: index + 1, highBits: &highBits)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\""), highBits < 0x80 {
            index = end + 1
            return
        }
        _ = try readString()
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONReadError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw JSONReadError(.unexpectedEndOfInput, offset: bytes.count) }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            index += offset
            throw unexpected()
        }
        index += count
    }

    // MARK: - Numbers

    private mutating func readNumber() throws(JSONReadError) -> JSONValue {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw JSONReadError(.invalidNumber, offset: start, context: "a digit must follow '-'")
        }
        var magnitude: UInt64 = 0
        var overflow = false
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw JSONReadError(.invalidNumber, offset: start, context: "leading zero")
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                let digit = UInt64(bytes[index] &- UInt8(ascii: "0"))
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(digit)
                overflow = overflow || o1 || o2
                magnitude = sum
                index += 1
            }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw JSONReadError(.invalidNumber, offset: start, context: "a digit must follow '.'")
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw JSONReadError(.invalidNumber, offset: start, context: "a digit must follow the exponent")
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if isInteger && !overflow {
            if negative {
                if magnitude <= UInt64(Int64.max) { return .integer(-Int64(magnitude)) }
                if magnitude == UInt64(Int64.max) + 1 { return .integer(Int64.min) }
            } else if magnitude <= UInt64(Int64.max) {
                return .integer(Int64(magnitude))
            }
        }
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return .float(literal: literal)
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: - Strings

    private mutating func readString() throws(JSONReadError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes, the common case for Kubernetes objects; ASCII-ness is noted on the way.
        var highBits: UInt8 = 0
        index = JSONStringScan.firstSpecial(in: bytes, from: start, highBits: &highBits)
        if index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if highBits < 0x80 {
                    return vocabulary?.lookup(bytes, from: start, count: raw.count)
                        ?? String(decoding: raw, as: UTF8.self)
                }
                return try Self.makeString(raw, at: start)
            }
            if byte < 0x20 { throw JSONReadError(.controlCharacterInString, offset: index) }
        }
        guard index < bytes.count else { throw JSONReadError(.unexpectedEndOfInput, offset: index) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                let unescaped = scratch
                return try unescaped.withUnsafeBufferPointer { buffer throws(JSONReadError) in
                    try Self.makeString(buffer, at: start)
                }
            case UInt8(ascii: "\\"):
                try readEscape()
            case ..<0x20:
                throw JSONReadError(.controlCharacterInString, offset: index)
            default:
                scratch.append(byte)
                index += 1
            }
        }
        throw JSONReadError(.unexpectedEndOfInput, offset: index)
    }

    private static func makeString(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int)
        throws(JSONReadError) -> String
    {
        guard let text = String(validating: buffer, as: UTF8.self) else {
            throw JSONReadError(.invalidUTF8, offset: offset)
        }
        return text
    }

    private mutating func readEscape() throws(JSONReadError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else { throw JSONReadError(.unexpectedEndOfInput, offset: index) }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalarValue = UInt32(try readHex4())
            if (0xD800...0xDBFF).contains(scalarValue) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw JSONReadError(.invalidEscape, offset: escapeStart, context: "unpaired surrogate")
                }
                index += 2
                let low = UInt32(try readHex4())
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONReadError(.invalidEscape, offset: escapeStart, context: "unpaired surrogate")
                }
                scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalarValue) {
                throw JSONReadError(.invalidEscape, offset: escapeStart, context: "unpaired surrogate")
            }
            guard let scalar = Unicode.Scalar(scalarValue) else {
                throw JSONReadError(.invalidEscape, offset: escapeStart)
            }
            scratch.append(contentsOf: UTF8.encode(scalar)!)
        default:
            throw JSONReadError(.invalidEscape, offset: escapeStart)
        }
    }

    private mutating func readHex4() throws(JSONReadError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw JSONReadError(.unexpectedEndOfInput, offset: bytes.count) }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONReadError(.invalidEscape, offset: index, context: "expected a hex digit")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    // MARK: - Helpers

    @inline(__always)
    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func unexpected(expecting expected: String? = nil) -> JSONReadError {
        guard index < bytes.count else { return JSONReadError(.unexpectedEndOfInput, offset: index) }
        let byte = bytes[index]
        var context = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x"
            + String(byte, radix: 16, uppercase: true)
        if let expected { context += ", expected \(expected)" }
        return JSONReadError(.unexpectedCharacter, offset: index, context: context)
    }
}
