import SystemSupport
import NIOPosix

/// The `Date` header of the current second, made once per second on each event loop thread (no lock).
enum HTTPDateHeader {
    private final class Cached: @unchecked Sendable {  // one thread's, only touched by it
        var second: Int64 = -1
        var value = ""
    }

    private static let cache = ThreadSpecificVariable<Cached>()

    static var now: String {
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
            cached.value = CivilTime(secondsSince1970: second).imfFixdate
        }
        return cached.value
    }
}
