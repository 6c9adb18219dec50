#if canImport(Glibc)
import Glibc
#endif
import SystemSupport

/// Kubernetes' `MicroTime`: RFC 3339 in UTC with exactly six fractional digits (`2026-11-29T01:02:03.000004Z`),
/// what a Lease's `acquireTime` and `renewTime` hold.
struct MicroTime: Sendable, Hashable, Comparable {
    /// Microseconds since 1970.
    var microseconds: Int64

    static var now: MicroTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return MicroTime(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }

    init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; nil for anything else.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"), bytes[4] == UInt8(ascii: "-"),
            bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
            bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: ".") || bytes.count == 20
        else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for index in range {
                guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int32(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        var fraction: Int64 = 0
        var scale: Int64 = 100_000
        if bytes[19] == UInt8(ascii: ".") {
            for byte in bytes[20..<(bytes.count - 1)] {
                guard (48...57).contains(byte) else { return nil }
                fraction += Int64(byte - 48) * scale
                scale /= 10
            }
        }
        microseconds = Int64(timegm(&parts)) * 1_000_000 + fraction
    }

    var description: String {
        let micro = String(microseconds % 1_000_000)
        return CivilTime(secondsSince1970: microseconds / 1_000_000).rfc3339.dropLast() + "."
            + String(repeating: "0", count: 6 - micro.count) + micro + "Z"
    }

    static func < (lhs: MicroTime, rhs: MicroTime) -> Bool { lhs.microseconds < rhs.microseconds }
}
