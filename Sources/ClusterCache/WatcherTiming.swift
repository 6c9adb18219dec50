/// A ``Watcher``'s page size, watch length and backoff; tests shorten them.
public struct WatcherTiming: Sendable {
    public var pageSize = 500
    public var watchTimeoutSeconds = 300
    public var initialBackoff: Duration = .milliseconds(500)
    public var maximumBackoff: Duration = .seconds(30)

    public init() {}

    /// Full jitter: a random delay up to min(maximum, initial × 2^(failures-1)).
    func backoff(after failures: Int) -> Duration {
        let ceiling = min(maximumBackoff, initialBackoff * (1 << min(failures - 1, 16)))
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: (nanoseconds / 10)...max(nanoseconds / 10, nanoseconds)))
    }
}
