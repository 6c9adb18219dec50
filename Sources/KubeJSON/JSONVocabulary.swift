/// Prebuilt Strings for the words a kind of document repeats (`apiVersion`, `metadata`, `CREATE`, …), so that
/// ``JSONReader`` hands out a copy instead of building and validating a new String each time.
///
/// The reader knows no words of its own: whoever reads a vocabulary-heavy document registers its words once
/// (the admission module registers the AdmissionReview and identity-object words) and passes the vocabulary
/// to ``JSONReader/parse(_:maximumDepth:skipping:vocabulary:)``. A miss costs a length check and, rarely, one
/// comparison.
public final class JSONVocabulary: Sendable {
    /// A word as two little-endian 64-bit words of its first 16 bytes (zero-padded) and the rest.
    private struct Entry: Sendable {
        var head: UInt64
        var middle: UInt64
        var tail: [UInt8]
        var word: String
    }

    /// The longest word interned, in UTF-8 bytes; longer ones are ignored.
    public static let maximumWordLength = 32

    /// Words by UTF-8 length.
    private let byLength: [[Entry]]

    /// A vocabulary of `words` (duplicates and words over ``maximumWordLength`` bytes are ignored).
    public init(words: [String]) {
        var table = Array(repeating: [Entry](), count: Self.maximumWordLength + 1)
        for word in Set(words).sorted() where word.utf8.count < table.count {
            let bytes = Array(word.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                table[bytes.count].append(Entry(head: Self.load(buffer, from: 0), middle: Self.load(buffer, from: 8),
                                                tail: Array(bytes.dropFirst(16)), word: word))
            }
        }
        byLength = table
    }

    /// Up to eight bytes from `offset` as a little-endian integer, zero-padded.
    @inline(__always)
    private static func load(_ bytes: UnsafeBufferPointer<UInt8>, from offset: Int) -> UInt64 {
        var value: UInt64 = 0
        var index = min(bytes.count, offset + 8)
        while index > offset {
            index -= 1
            value = value << 8 | UInt64(bytes[index])
        }
        return value
    }

    /// The prebuilt String for `bytes` when it is a known word.
    @inline(__always)
    func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let count = bytes.count
        guard count > 1, count <= Self.maximumWordLength else { return nil }
        let candidates = byLength[count]
        if candidates.isEmpty { return nil }
        let head = Self.load(bytes, from: 0)
        for candidate in candidates where candidate.head == head {
            guard count > 8 else { return candidate.word }
            guard candidate.middle == Self.load(bytes, from: 8) else { continue }
            if count <= 16 || candidate.tail.elementsEqual(bytes[16...]) { return candidate.word }
        }
        return nil
    }
}
