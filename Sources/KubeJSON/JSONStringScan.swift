/// Finds the end of an unescaped run in a JSON string eight bytes at a time (SWAR).
///
/// Reading and writing JSON spend most of their time looking for the bytes that end a plain run of text —
/// `"`, `\` or a control character below 0x20. Checking a 64-bit word at once with the classic
/// "has zero byte" bit trick takes a few instructions per eight bytes instead of per byte, and the word that
/// holds the special byte gives its position too: only the last few bytes of a buffer go one at a time.
enum JSONStringScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first `"`, `\` or control byte at or after `start` (or `buffer.count`); `highBits`
    /// collects the OR of every byte passed, so that `highBits < 0x80` means the run was ASCII.
    @inline(__always)
    static func firstSpecial(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, highBits: inout UInt8) -> Int {
        var index = start
        let count = buffer.count
        if let base = buffer.baseAddress {
            let raw = UnsafeRawPointer(base)
            var high: UInt64 = 0
            while index + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let special = ((word &- ones &* 0x20) & ~word)
                    | ((quote &- ones) & ~quote)
                    | ((backslash &- ones) & ~backslash)
                let found = special & highs
                if found != 0 {
                    // The lowest flagged byte is always a real one (a borrow can only flag bytes above it), so
                    // it is the answer; the bytes below it join `highBits`.
                    let offset = found.trailingZeroBitCount &>> 3
                    high |= word & ((1 &<< UInt64(offset &<< 3)) &- 1)
                    if high & highs != 0 { highBits |= 0x80 }
                    return index + offset
                }
                high |= word
                index += 8
            }
            if high & highs != 0 { highBits |= 0x80 }
        }
        while index < count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return index }
            highBits |= byte
            index += 1
        }
        return index
    }
}
