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

    /// Every word, shortest first.
    private let entries: [Entry]
    /// Where the words of each UTF-8 length start in ``entries``: those of length `n` are
    /// `firstOfLength[n]..<firstOfLength[n + 1]`. One flat table: a table per length cost a retain and a release
    /// of that length's array per lookup.
    private let firstOfLength: [Int]

    /// A vocabulary of `words` (duplicates and words over ``maximumWordLength`` bytes are ignored).
    public init(words: [String]) {
        var entries: [Entry] = []
        var firstOfLength = [0]
        let byLength = Dictionary(grouping: Set(words).filter { $0.utf8.count <= Self.maximumWordLength },
                                  by: \.utf8.count)
        for length in 0...Self.maximumWordLength {
            for word in (byLength[length] ?? []).sorted() {
                let bytes = Array(word.utf8)
                bytes.withUnsafeBufferPointer { buffer in
                    entries.append(Entry(head: Self.load(buffer, from: 0), middle: Self.load(buffer, from: 8),
                                         tail: Array(bytes.dropFirst(16)), word: word))
                }
            }
            firstOfLength.append(entries.count)
        }
        self.entries = entries
        self.firstOfLength = firstOfLength
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

    /// The `count` bytes (at most eight) at `offset` as ``load(_:from:)`` makes them, with one unaligned load
    /// when eight bytes from `offset` lie in `buffer` — bytes past the word's end are read and masked off.
    @inline(__always)
    private static func load(_ buffer: UnsafeBufferPointer<UInt8>, from offset: Int, count: Int) -> UInt64 {
        guard count > 0 else { return 0 }
        guard offset + 8 <= buffer.count, let base = buffer.baseAddress else {
            return load(UnsafeBufferPointer(rebasing: buffer[offset..<(offset + min(count, 8))]), from: 0)
        }
        let word = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        return count >= 8 ? word : word & ((1 &<< UInt64(count &<< 3)) &- 1)
    }

    /// The prebuilt String for the `count` bytes at `start` in `buffer` when they are a known word. Bytes of
    /// `buffer` after the word may be read (never used): the reader passes the whole document.
    @inline(__always)
    func lookup(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> String? {
        guard count > 1, count <= Self.maximumWordLength else { return nil }
        let range = firstOfLength[count]..<firstOfLength[count + 1]
        if range.isEmpty { return nil }
        let head = Self.load(buffer, from: start, count: count)
        let middle = count > 8 ? Self.load(buffer, from: start + 8, count: count - 8) : 0
        return entries.withUnsafeBufferPointer { entries in
            for index in range where entries[index].head == head && entries[index].middle == middle {
                if count <= 16 || entries[index].tail.elementsEqual(buffer[(start + 16)..<(start + count)]) {
                    return entries[index].word
                }
            }
            return nil
        }
    }
}
