/// Writes ``JSONValue``s and hand-built documents as compact (or indented) RFC 8259 JSON bytes.
///
/// The admission hot path writes a response for every request; `JSONSerialization` costs more than the whole
/// rest of the request for that, and `JSONEncoder` escapes `/` and shuffles keys. This writer appends to one
/// byte buffer, keeps key order, writes non-ASCII text as UTF-8 and escapes only what RFC 8259 requires.
public struct JSONWriter: Sendable {
    /// The bytes written so far (a copy: ``takeBytes()`` hands them over without one).
    public var bytes: [UInt8] { Array(storage[..<length]) }

    /// The output buffer: `length` bytes written, then zeros up to `storage.count`, room written into in place.
    /// `Array.append(contentsOf:)` cost about 90 instructions per piece — most of a short key or value — for
    /// its generic path; a write here checks the room once and copies into it (README, "Performance").
    private var storage: [UInt8]
    private var length: Int
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
        storage = []
        storage.reserveCapacity(capacity)
        length = 0
        self.indentation = indentation
    }

    /// Goes on writing at the end of `bytes`, which it takes over (leaving `bytes` empty until ``takeBytes()``
    /// hands them back): a document appended to a buffer in place, without an array of its own.
    public init(continuing bytes: inout [UInt8], indentation: Int? = nil) {
        storage = []
        swap(&storage, &bytes)
        length = storage.count
        self.indentation = indentation
    }

    /// Hands over the bytes written so far without copying them, leaving the writer empty: for a caller that
    /// appends a line break and writes the line out.
    public mutating func takeBytes() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &storage)
        if taken.count > length { taken.removeLast(taken.count - length) }
        length = 0
        return taken
    }

    /// The compact JSON text of `value`.
    public static func serialize(_ value: JSONValue, indentation: Int? = nil) -> [UInt8] {
        var writer = JSONWriter(indentation: indentation)
        writer.write(value)
        return writer.takeBytes()
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
        case .float(let literal): appendUTF8(of: literal)
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
            append(UInt8(ascii: "0") + UInt8(number))
        } else {
            appendUTF8(of: String(number))
        }
    }

    public mutating func writeBool(_ flag: Bool) {
        appendLiteral(flag ? "true" : "false")
    }

    // MARK: - Containers, written piece by piece

    public mutating func beginObject() {
        append(UInt8(ascii: "{"))
        open()
    }

    public mutating func endObject() {
        close()
        append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        append(UInt8(ascii: "["))
        open()
    }

    public mutating func endArray() {
        close()
        append(UInt8(ascii: "]"))
    }

    /// Writes `"key":` inside an object, with the comma before it when needed.
    public mutating func writeKey(_ key: String) {
        beginElement()
        writeString(key)
        append(UInt8(ascii: ":"))
        if indentation != nil { append(UInt8(ascii: " ")) }
    }

    /// Writes a member whose value is a string.
    public mutating func writeMember(_ key: String, _ value: String) {
        writeKey(key)
        writeString(value)
    }

    /// Writes `"key":` for a key written in the program — printable ASCII with nothing to escape (checked in
    /// debug builds) — copied as it is, without the scan for characters to escape that ``writeKey(_:)`` does:
    /// the hot path writes about twenty such keys per request (the answer and its log line). In compact output
    /// the comma, the quoted key and the colon go in as one copy.
    public mutating func writeKey(literal key: StaticString) {
        assert(Self.needsNoEscaping(key), "\(key) needs escaping: use writeKey(_:)")
        guard indentation == nil else {
            beginElement()
            append(UInt8(ascii: "\""))
            appendLiteral(key)
            appendLiteral("\": ")
            return
        }
        let comma = nextElement() ? 1 : 0
        let count = key.utf8CodeUnitCount
        let total = comma + count + 3
        reserve(total)
        let at = length
        storage.withUnsafeMutableBufferPointer { buffer in
            let start = buffer.baseAddress! + at
            if comma == 1 { start.initialize(to: UInt8(ascii: ",")) }
            start[comma] = UInt8(ascii: "\"")
            (start + comma + 1).update(from: key.utf8Start, count: count)
            start[comma + 1 + count] = UInt8(ascii: "\"")
            start[comma + 2 + count] = UInt8(ascii: ":")
        }
        length = at + total
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
        encoded.withUnsafeBufferPointer { append($0) }
    }

    private static func needsNoEscaping(_ key: StaticString) -> Bool {
        UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount).allSatisfy { byte in
            byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
        }
    }

    /// Starts the next element of an array (comma and indentation); `writeKey` does this for objects.
    public mutating func beginElement() {
        if nextElement() { append(UInt8(ascii: ",")) }
        newline()
    }

    /// Notes that the open container has one more element; whether it had one before (and so needs a comma).
    private mutating func nextElement() -> Bool {
        let depth = level - 1
        if depth < 64 {
            let bit: UInt64 = 1 << UInt64(depth)
            let hadMember = needsCommaBits & bit != 0
            needsCommaBits |= bit
            return hadMember
        }
        let hadMember = deeperNeedsComma[depth - 64]
        deeperNeedsComma[depth - 64] = true
        return hadMember
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
        append(UInt8(ascii: "\n"))
        for _ in 0..<(indentation * level) { append(UInt8(ascii: " ")) }
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
        var highBits: UInt8 = 0
        var position = JSONStringScan.firstSpecial(in: utf8, from: 0, highBits: &highBits)
        if position == utf8.count {
            // Nothing to escape, the usual case: the quotes and the text in one copy.
            let count = utf8.count
            reserve(count + 2)
            let at = length
            storage.withUnsafeMutableBufferPointer { buffer in
                let start = buffer.baseAddress! + at
                start.initialize(to: UInt8(ascii: "\""))
                if count > 0 { (start + 1).update(from: utf8.baseAddress!, count: count) }
                start[count + 1] = UInt8(ascii: "\"")
            }
            length = at + count + 2
            return
        }
        append(UInt8(ascii: "\""))
        var runStart = 0
        while true {
            append(UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
            guard position < utf8.count else { break }
            appendEscape(utf8[position])
            runStart = position + 1
            position = JSONStringScan.firstSpecial(in: utf8, from: runStart, highBits: &highBits)
        }
        append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(_ byte: UInt8) {
        append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): append(UInt8(ascii: "\\"))
        case 0x0A: append(UInt8(ascii: "n"))
        case 0x0D: append(UInt8(ascii: "r"))
        case 0x09: append(UInt8(ascii: "t"))
        case 0x08: append(UInt8(ascii: "b"))
        case 0x0C: append(UInt8(ascii: "f"))
        default:
            let hex: StaticString = "0123456789abcdef"
            for escaped in [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex.utf8Start[Int(byte >> 4)],
                            hex.utf8Start[Int(byte & 0xF)]] {
                append(escaped)
            }
        }
    }

    // MARK: - The buffer

    /// Makes room for `count` more bytes after `length`.
    @inline(__always)
    private mutating func reserve(_ count: Int) {
        if storage.count &- length < count { grow(toFit: count) }
    }

    /// Adds at least `count` zeros to the buffer — the array's spare capacity first, up to a kilobyte, copied
    /// from a page of zeros (a repeated element goes in one byte at a time); the array grows geometrically, so
    /// appends stay amortized O(1).
    @inline(never)
    private mutating func grow(toFit count: Int) {
        var missing = Swift.max(count, 256, Swift.min(storage.capacity - storage.count, Self.zeros.count))
        while missing > 0 {
            let chunk = Swift.min(missing, Self.zeros.count)
            Self.zeros.withUnsafeBufferPointer { zeros in
                storage.append(contentsOf: UnsafeBufferPointer(rebasing: zeros[..<chunk]))
            }
            missing -= chunk
        }
    }

    private static let zeros = [UInt8](repeating: 0, count: 1024)

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        let at = length
        storage.withUnsafeMutableBufferPointer { $0[at] = byte }
        length = at + 1
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        guard count > 0 else { return }
        reserve(count)
        let at = length
        storage.withUnsafeMutableBufferPointer { buffer in
            (buffer.baseAddress! + at).update(from: bytes.baseAddress!, count: count)
        }
        length = at + count
    }

    private mutating func appendLiteral(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func appendUTF8(of text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }
}
