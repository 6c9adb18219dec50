import KubeJSON
import ClusterCache
import Foundation
import Logging
import MetricsTestKit

/// A ``UsersCache`` reading an API server (the fake one or a real one), run in a task, with what it reported:
/// each complete list, and its metrics recorded into a `TestMetrics` factory.
package final class RunningCache: Sendable {
    package let cache: UsersCache
    package let metrics: TestMetrics
    /// The cache's client, the test's to close (the cache never closes what it was given).
    private let client: KubernetesClient
    private let synced: Locked<[(users: Int, first: Bool)]>
    private let task: Task<Void, Never>

    /// The timing the tests use: small pages, short backoffs.
    package static func timing(pageSize: Int = 100, watchTimeoutSeconds: Int = 30) -> WatcherTiming {
        var timing = WatcherTiming()
        timing.pageSize = pageSize
        timing.watchTimeoutSeconds = watchTimeoutSeconds
        timing.initialBackoff = .milliseconds(20)
        timing.maximumBackoff = .milliseconds(200)
        return timing
    }

    /// Starts a cache on `credentials`; `onSynced` is told each complete list, as `serve`'s readiness is.
    package init(credentials: KubernetesCredentials, timing: WatcherTiming = RunningCache.timing(),
         index: ClusterEmailIndex = ClusterEmailIndex(), logger: Logger = quietLogger,
         onSynced: @escaping @Sendable (_ users: Int, _ first: Bool) -> Void = { _, _ in }) throws
    {
        let synced = Locked<[(users: Int, first: Bool)]>([])
        let metrics = TestMetrics()
        let client = try KubernetesClient(credentials: credentials)
        let cache = UsersCache(client: client, index: index, metrics: CacheMetrics(factory: metrics), timing: timing,
                               logger: logger) { users, first in
            synced.withLock { $0.append((users, first)) }
            onSynced(users, first)
        }
        self.cache = cache
        self.client = client
        self.metrics = metrics
        self.synced = synced
        task = Task { try? await cache.run() }
    }

    package convenience init(api: FakeAPIServer, timing: WatcherTiming = RunningCache.timing(),
                     index: ClusterEmailIndex = ClusterEmailIndex(),
                     onSynced: @escaping @Sendable (_ users: Int, _ first: Bool) -> Void = { _, _ in }) throws
    {
        try self.init(credentials: try api.credentials(), timing: timing, index: index, onSynced: onSynced)
    }

    package var index: ClusterEmailIndex { cache.index }

    /// Every complete list so far: its size and whether it was the first.
    package var syncs: [(users: Int, first: Bool)] { synced.current }

    /// `identity_guard_cache_last_event_timestamp_seconds`, once recorded.
    package var lastEvent: Double? {
        try? metrics.expectGauge("identity_guard_cache_last_event_timestamp_seconds").lastValue
    }

    /// `identity_guard_cache_relists_total`.
    package var relists: Int64 { metrics.counterTotal(label: "identity_guard_cache_relists_total") }

    /// `identity_guard_cache_watch_restarts_total`.
    package var watchRestarts: Int64 { metrics.counterTotal(label: "identity_guard_cache_watch_restarts_total") }

    /// Waits until the cache has synced `count` times (default: once).
    /// Generous by default: on a loaded two-core machine a first list of a thousand Users can take seconds, and
    /// waiting longer costs a passing test nothing.
    package func synced(times count: Int = 1, within timeout: Duration = .seconds(30)) async -> Bool {
        await eventually(within: timeout) { syncs.count >= count }
    }

    /// Cancels the cache, waits for it, and closes its Kubernetes client. `afterCancel`
    /// runs in between: ending the fake server's watches there lets it answer the client's TLS close at once
    /// (a server stuck in a watch does not, and the client then waits out NIOSSL's 5 s shutdown timeout).
    package func stop(afterCancel: () -> Void = {}) async {
        task.cancel()
        afterCancel()
        await task.value
        await client.shutdown()
    }
}
