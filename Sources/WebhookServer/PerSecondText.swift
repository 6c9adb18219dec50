import NIOPosix
import SystemSupport

/// Text that changes once a second — the HTTP `Date` header, a log line's time — made once per second on each
/// thread that asks for it: a lock around one shared value, or formatting it per request, would cost more than
/// the rest of what it goes into (README, "Performance").
struct PerSecondText: Sendable {
    private final class Cached: @unchecked Sendable {  // one thread's, only touched by it
        var second: Int64 = -1
        var value = ""
    }

    private let cache = ThreadSpecificVariable<Cached>()
    private let format: @Sendable (CivilTime) -> String

    /// - Parameter format: the text of a second (UTC).
    init(format: @escaping @Sendable (CivilTime) -> String) {
        self.format = format
    }

    /// The text of the current second.
    var now: String {
        let second = CivilTime.nowSecondsSince1970
        let cached: Cached
        if let current = cache.currentValue {
            cached = current
        } else {
            cached = Cached()
            cache.currentValue = cached
        }
        if cached.second != second {
            cached.second = second
            cached.value = format(CivilTime(secondsSince1970: second))
        }
        return cached.value
    }
}
