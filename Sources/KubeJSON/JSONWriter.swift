/// Writes ``JSONValue``s and hand-built documents as compact (or indented) RFC 8259 JSON bytes.
///
/// The admission hot path writes a response for every request; `JSONSerialization` costs more than the whole
/// rest of the request for that, and `JSONEncoder` escapes `/` and shuffles keys. This writer appends to one
/// byte buffer, keeps key order, writes non-ASCII text as UTF-8 and escapes only what RFC 8259 requires.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    private let indentation: Int?
    private var level = 0
    /// Whether each open container already has a member, so the next one needs a comma: bit `n` for the
    /// container at depth `n + 1`, for the first 64 levels — no array to allocate and check per document, which
    /// the hot path writes twice per request (the answer and the log line).
    private var needsCommaBits: UInt64 = 0
    /// The same for containers deeper than 64 levels, in order.
    private var deeperNeedsComma: [Bool] = []

    /// - Parameter indentation: spaces per level for human-readable output; nil writes compact JSON.
    public init(reservingCapacity capacity: Int = 512, indentation: Int? = nil) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.indentation = indentation
    }

    /// Goes on writing at the end of `bytes`, which it takes over (leaving `bytes` empty until ``takeBytes()``
    /// hands them back): a document appended to a buffer in place, without an array of its own.
    public init(continuing bytes: inout [UInt8], indentation: Int? = nil) {
        self.bytes = []
        swap(&self.bytes, &bytes)
        self.indentation = indentation
    }

    /// Hands over the bytes written so far without copying them, leaving the writer empty: for a caller that
    /// appends a line break and writes the line out.
    public mutating func takeBytes() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        return taken
    }

    /// The compact JSON text of `value`.
    public static func serialize(_ value: JSONValue, indentation: Int? = nil) -> [UInt8] {
        var writer = JSONWriter(indentation: indentation)
        writer.write(value)
        return writer.bytes
    }

    /// `serialize` as a String, for messages and tests.
    public static func string(_ value: JSONValue, indentation: Int? = nil) -> String {
        String(decoding: serialize(value, indentation: indentation), as: UTF8.self)
    }

    // MARK: - Values

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: appendLiteral("null")
        case .bool(let flag): appendLiteral(flag ? "true" : "false")
        case .integer(let number): writeInteger(number)
        case .float(let literal): bytes.append(contentsOf: literal.utf8)
        case .string(let text): writeString(text)
        case .array(let elements):
            beginArray()
            for element in elements {
                beginElement()
                write(element)
            }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                writeKey(member.key)
                write(member.value)
            }
            endObject()
        }
    }

    public mutating func writeInteger(_ number: Int64) {
        if number >= 0 && number < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(number))
        } else {
            bytes.append(contentsOf: String(number).utf8)
        }
    }

    public mutating func writeBool(_ flag: Bool) {
        appendLiteral(flag ? "true" : "false")
    }

    // MARK: - Containers, written piece by piece

    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        open()
    }

    public mutating func endObject() {
        close()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        open()
    }

    public mutating func endArray() {
        close()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `"key":` inside an object, with the comma before it when needed.
    public mutating func writeKey(_ key: String) {
        beginElement()
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        if indentation != nil { bytes.append(UInt8(ascii: " ")) }
    }

    /// Writes a member whose value is a string.
    public mutating func writeMember(_ key: String, _ value: String) {
        writeKey(key)
        writeString(value)
    }

    /// Writes `"key":` for a key written in the program — printable ASCII with nothing to escape (checked in
    /// debug builds) — copied as it is, without the scan for characters to escape that ``writeKey(_:)`` does:
    /// the hot path writes about twenty such keys per request (the answer and its log line).
    public mutating func writeKey(literal key: StaticString) {
        assert(Self.needsNoEscaping(key), "\(key) needs escaping: use writeKey(_:)")
        beginElement()
        bytes.append(UInt8(ascii: "\""))
        appendLiteral(key)
        appendLiteral(indentation == nil ? "\":" : "\": ")
    }

    /// Writes a member whose key is written in the program (``writeKey(literal:)``) and whose value is a string.
    public mutating func writeMember(literal key: StaticString, _ value: String) {
        writeKey(literal: key)
        writeString(value)
    }

    /// Writes members already encoded as compact JSON (`"a":1,"b":"x"`, no braces) into the object being written,
    /// with the comma before them when needed: a run of members that many documents share, encoded once. Compact
    /// output only.
    public mutating func writeEncodedMembers(_ encoded: [UInt8]) {
        precondition(indentation == nil, "encoded members go into compact documents only")
        guard !encoded.isEmpty else { return }
        beginElement()
        bytes.append(contentsOf: encoded)
    }

    private static func needsNoEscaping(_ key: StaticString) -> Bool {
        UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount).allSatisfy { byte in
            byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
        }
    }

    /// Starts the next element of an array (comma and indentation); `writeKey` does this for objects.
    public mutating func beginElement() {
        let depth = level - 1
        let hadMember: Bool
        if depth < 64 {
            let bit: UInt64 = 1 << UInt64(depth)
            hadMember = needsCommaBits & bit != 0
            needsCommaBits |= bit
        } else {
            hadMember = deeperNeedsComma[depth - 64]
            deeperNeedsComma[depth - 64] = true
        }
        if hadMember { bytes.append(UInt8(ascii: ",")) }
        newline()
    }

    private mutating func open() {
        let depth = level
        if depth < 64 {
            needsCommaBits &= ~(1 << UInt64(depth))
        } else {
            deeperNeedsComma.append(false)
        }
        level += 1
    }

    private mutating func close() {
        level -= 1
        let hadMember = level < 64 ? needsCommaBits & (1 << UInt64(level)) != 0 : deeperNeedsComma.removeLast()
        if hadMember { newline() }
    }

    private mutating func newline() {
        guard let indentation else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indentation * level))
    }

    private mutating func appendLiteral(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    // MARK: - Strings

    public mutating func writeString(_ text: String) {
        // Read in place: `withUTF8` is mutating, and the copy it needs cost a retain and a release per string
        // (an answer and its log line write about thirty). Native and small strings always have contiguous UTF-8.
        let written: Void? = text.utf8.withContiguousStorageIfAvailable { writeString(utf8: $0) }
        if written == nil {
            var text = text
            text.withUTF8 { writeString(utf8: $0) }
        }
    }

    private mutating func writeString(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var highBits: UInt8 = 0
        while true {
            let position = JSONStringScan.firstSpecial(in: utf8, from: runStart, highBits: &highBits)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
            guard position < utf8.count else { break }
            appendEscape(utf8[position])
            runStart = position + 1
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)],
                                      hex[Int(byte & 0xF)]])
        }
    }
}
