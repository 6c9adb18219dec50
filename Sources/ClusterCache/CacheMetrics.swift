public import CoreMetrics

/// The cluster cache's metrics as typed handles, made once from whatever metrics factory the server uses.
///
/// The cache records through these and never names a metric at the call site; the webhook passes its
/// Prometheus factory, tests a `TestMetrics` one, and without a factory they go nowhere.
public struct CacheMetrics: Sendable {
    /// `identity_guard_cache_users`: Users in the index.
    public let users: Gauge
    /// `identity_guard_cache_last_sync_timestamp_seconds`: when the last complete list was applied.
    public let lastSync: Gauge
    /// `identity_guard_cache_last_event_timestamp_seconds`: when the apiserver was last heard from on the list
    /// and watch — a list completed, a watch opened, an event or a bookmark (about one a minute on a quiet
    /// cluster). Alerts on staleness use it: the last-sync time only moves on a full list.
    public let lastEvent: Gauge
    /// `identity_guard_cache_relists_total`: lists after the first (410, expired continue token, failures).
    public let relists: Counter
    /// `identity_guard_cache_watch_restarts_total`: watches reopened after they ended or broke.
    public let watchRestarts: Counter

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        users = Gauge(label: "identity_guard_cache_users", factory: factory)
        lastSync = Gauge(label: "identity_guard_cache_last_sync_timestamp_seconds", factory: factory)
        lastEvent = Gauge(label: "identity_guard_cache_last_event_timestamp_seconds", factory: factory)
        relists = Counter(label: "identity_guard_cache_relists_total", factory: factory)
        watchRestarts = Counter(label: "identity_guard_cache_watch_restarts_total", factory: factory)
    }
}
