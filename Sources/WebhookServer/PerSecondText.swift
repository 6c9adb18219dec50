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
    private let clock: @Sendable () -> Int64

    /// - Parameters:
    ///   - clock: the current second since 1970 (the wall clock; a test's own to step through seconds).
    ///   - format: the text of a second (UTC).
    init(clock: @escaping @Sendable () -> Int64 = { CivilTime.nowSecondsSince1970 },
         format: @escaping @Sendable (CivilTime) -> String)
    {
        self.clock = clock
        self.format = format
    }

    /// The text of the current second.
    var now: String {
        let second = clock()
        let cached = cache.current(orMake: Cached.init)
        if cached.second != second {
            cached.second = second
            cached.value = format(CivilTime(secondsSince1970: second))
        }
        return cached.value
    }
}
