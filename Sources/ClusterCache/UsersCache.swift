#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import CoreMetrics
import IdentityRules
import KubeJSON
public import Logging
public import ServiceLifecycle
import SystemSupport

/// The webhook's view of the cluster's Users: a ``ClusterEmailIndex`` fed by a ``Watcher`` on
/// `users.auth.alauda.io`, plus the periodic purge of expired reservations.
///
/// Without a client (`--no-cluster`) it runs only the purge: the index then holds this replica's own
/// reservations, which is all such a webhook can know. The client is the caller's: the cache uses it and
/// never closes it (other components share it).
public final class UsersCache: Service, Sendable {
    public let index: ClusterEmailIndex
    private let watcher: Watcher?
    private let client: KubernetesClient?
    private let metrics: CacheMetrics
    private let onSynced: @Sendable (_ users: Int, _ first: Bool) -> Void

    /// - Parameters:
    ///   - onSynced: told each time a complete list is in the index (readiness waits for the first).
    public init(
        client: KubernetesClient?,
        index: ClusterEmailIndex = ClusterEmailIndex(),
        metrics: CacheMetrics = CacheMetrics(),
        timing: WatcherTiming = WatcherTiming(),
        logger: Logger,
        onSynced: @escaping @Sendable (_ users: Int, _ first: Bool) -> Void = { _, _ in }
    ) {
        self.index = index
        self.client = client
        self.metrics = metrics
        self.onSynced = onSynced
        watcher = client.map {
            Watcher(client: $0, kind: .user, timing: timing, logger: logger, watchRestarts: metrics.watchRestarts,
                    lastEvent: metrics.lastEvent)
        }
    }

    /// Every User of the cluster, listed once in pages (for `check --kubeconfig`).
    public static func listUsers(client: KubernetesClient, pageSize: Int = 500) async throws(KubernetesError)
        -> [(name: String, email: String?)]
    {
        try await ListPager.collect(client: client, kind: .user, pageSize: pageSize, keep: user(from:)).items
    }

    /// The name and email of a listed or watched User.
    static func user(from object: JSONObject) -> (name: String, email: String?)? {
        guard let name = object["metadata"]?["name"]?.stringValue else { return nil }
        return (name, object["spec"]?["email"]?.stringValue)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            await withTaskGroup(of: Void.self) { group in
                if let watcher { group.addTask { await self.follow(watcher) } }
                group.addTask { await self.purgeReservations() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Applies the watcher's events to the index until cancelled. A list is applied User by User as its pages
    /// arrive, keeping only names and emails (100,000 whole Users would be ~350 MB); the Users it did not show are
    /// dropped when it is complete (``ClusterEmailIndex/beginList()``).
    private func follow(_ watcher: Watcher) async {
        var lists = 0
        for await event in watcher {
            switch event {
            case .initStarted:
                index.beginList()
                if lists > 0 { metrics.relists.increment() }
            case .initApply(let object):
                if let user = Self.user(from: object) { index.listed(name: user.name, email: user.email) }
            case .initDone:
                index.endList()
                let count = index.userCount
                lists += 1
                Self.returnFreedMemory()
                metrics.users.record(count)
                metrics.lastSync.record(Date().timeIntervalSince1970)
                onSynced(count, lists == 1)
            case .apply(let object):
                guard let user = Self.user(from: object) else { continue }
                index.upsert(name: user.name, email: user.email)
                metrics.users.record(index.userCount)
            case .delete(let object):
                guard let name = object["metadata"]?["name"]?.stringValue else { continue }
                index.remove(name: name)
                metrics.users.record(index.userCount)
            }
        }
    }

    private func purgeReservations() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: index.reservationTTL)
            index.purgeExpiredReservations()
        }
    }

    /// Hands the memory a full list freed back to the system. A list of 100,000 Users is parsed page by page
    /// into short-lived objects; glibc keeps the freed pages, so without this the process stays far larger than
    /// what it holds (README, "Performance"). Runs once per list, never per request.
    static func returnFreedMemory() {
        ProcessMemory.returnFreed()
    }
}
