/// Prebuilt Strings for the words a kind of document repeats (`apiVersion`, `metadata`, `CREATE`, …), so that
/// ``JSONReader`` hands out a copy instead of building and validating a new String each time.
///
/// The reader knows no words of its own: whoever reads a vocabulary-heavy document registers its words once
/// (the admission module registers the AdmissionReview and identity-object words) and passes the vocabulary
/// to ``JSONReader/parse(_:maximumDepth:skipping:vocabulary:)``. A word is found by hashing its first 16 bytes
/// and length into an open-addressed table a few times larger than the words: a lookup, hit or miss, costs about
/// one probe. Its tables are allocated once and never change, and they are read through pointers: reading them
/// as arrays of the class cost a retain and a release of each array per lookup.
public final class JSONVocabulary: @unchecked Sendable {
    /// A word as the little-endian 64-bit words of its bytes, zero-padded to 32 bytes.
    private struct Entry {
        var bytes: (UInt64, UInt64, UInt64, UInt64)
        var count: Int
        var word: String
    }

    /// The longest word interned, in UTF-8 bytes; longer ones are ignored.
    public static let maximumWordLength = 32

    /// Every word once.
    private let entries: UnsafeMutableBufferPointer<Entry>
    /// The open-addressed table: an index into ``entries`` plus one, or 0 for an empty slot. Its size is a power
    /// of two at least four times the number of words.
    private let slots: UnsafeMutableBufferPointer<UInt16>
    private let slotMask: Int

    /// A vocabulary of `words` (duplicates and words of fewer than two or more than ``maximumWordLength`` bytes
    /// are ignored).
    public init(words: [String]) {
        let unique = Set(words).filter { (2...Self.maximumWordLength).contains($0.utf8.count) }.sorted()
        precondition(unique.count < Int(UInt16.max), "a vocabulary holds fewer than 65,535 words")
        entries = .allocate(capacity: unique.count)
        var size = 16
        while size < unique.count * 4 { size *= 2 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0)
        slotMask = size - 1
        for (index, word) in unique.enumerated() {
            var padded = Array(word.utf8)
            let count = padded.count
            padded += repeatElement(0, count: Self.maximumWordLength - count)
            let bytes = padded.withUnsafeBufferPointer { padded in
                (Self.load(padded, from: 0, count: 8), Self.load(padded, from: 8, count: 8),
                 Self.load(padded, from: 16, count: 8), Self.load(padded, from: 24, count: 8))
            }
            (entries.baseAddress! + index).initialize(to: Entry(bytes: bytes, count: count, word: word))
            var slot = Self.hash(bytes.0, bytes.1, count) & slotMask
            while slots[slot] != 0 { slot = (slot + 1) & slotMask }
            slots[slot] = UInt16(index + 1)
        }
    }

    deinit {
        entries.deinitialize()
        entries.deallocate()
        slots.deallocate()
    }

    @inline(__always)
    private static func hash(_ first: UInt64, _ second: UInt64, _ count: Int) -> Int {
        let mixed = (first &* 0x9E37_79B9_7F4A_7C15) ^ (second &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(count)
        return Int(truncatingIfNeeded: mixed >> 32 ^ mixed)
    }

    /// The `count` bytes (up to eight are used) at `offset` of `buffer` as a little-endian integer, zero-padded —
    /// how a word's entry and the reader's bytes are both made, so that they compare equal:
    /// one unaligned load when eight bytes from `offset` lie in `buffer` (bytes past the word's end are read and
    /// masked off), one byte at a time at the buffer's very end.
    @inline(__always)
    private static func load(_ buffer: UnsafeBufferPointer<UInt8>, from offset: Int, count: Int) -> UInt64 {
        guard count > 0 else { return 0 }
        guard offset + 8 <= buffer.count, let base = buffer.baseAddress else {
            var value: UInt64 = 0
            var index = offset + min(count, 8)
            while index > offset {
                index -= 1
                value = value << 8 | UInt64(buffer[index])
            }
            return value
        }
        let word = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        return count >= 8 ? word : word & ((1 &<< UInt64(count &<< 3)) &- 1)
    }

    /// The prebuilt String for the `count` bytes at `start` in `buffer` when they are a known word. Bytes of
    /// `buffer` after the word may be read (never used): the reader passes the whole document.
    @inline(__always)
    func lookup(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> String? {
        guard count > 1, count <= Self.maximumWordLength else { return nil }
        let first = Self.load(buffer, from: start, count: count)
        let second = count > 8 ? Self.load(buffer, from: start + 8, count: count - 8) : 0
        var slot = Self.hash(first, second, count) & slotMask
        while true {
            let index = Int(slots[slot])
            if index == 0 { return nil }
            let entry = entries.baseAddress! + (index - 1)
            if entry.pointee.bytes.0 == first, entry.pointee.bytes.1 == second, entry.pointee.count == count,
               count <= 16 || Self.tailMatches(entry, buffer, from: start + 16, count: count - 16)
            {
                return entry.pointee.word
            }
            slot = (slot + 1) & slotMask
        }
    }

    /// Whether a word's bytes 16 to 32 are the `count` bytes at `offset` of `buffer`. Out of line: inlined, its
    /// loads were prepared before the probe loop for every lookup, though few words are this long.
    @inline(never)
    private static func tailMatches(_ entry: UnsafeMutablePointer<Entry>, _ buffer: UnsafeBufferPointer<UInt8>,
                                    from offset: Int, count: Int) -> Bool
    {
        entry.pointee.bytes.2 == load(buffer, from: offset, count: count)
            && entry.pointee.bytes.3 == (count > 8 ? load(buffer, from: offset + 8, count: count - 8) : 0)
    }
}
