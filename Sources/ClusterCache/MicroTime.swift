#if canImport(Glibc)
import Glibc
#endif
import IdentityRules
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

    /// Reads an RFC 3339 time in UTC (`Z`), with any number of fractional digits (microseconds kept); nil for
    /// anything else, an offset other than `Z` included. The parsing is ``RFC3339``'s, the one the rules use.
    init?(_ text: String) {
        guard let time = RFC3339.parse(text), time.offsetMinutes == nil else { return nil }
        microseconds = time.secondsSince1970 * 1_000_000 + Int64(time.nanosecond / 1_000)
    }

    var description: String {
        let micro = String(microseconds % 1_000_000)
        return CivilTime(secondsSince1970: microseconds / 1_000_000).rfc3339.dropLast() + "."
            + String(repeating: "0", count: 6 - micro.count) + micro + "Z"
    }

    static func < (lhs: MicroTime, rhs: MicroTime) -> Bool { lhs.microseconds < rhs.microseconds }
}
