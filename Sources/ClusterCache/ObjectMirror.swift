public import IdentityRules
public import Logging
public import ServiceLifecycle

/// Keeps an ``ObjectStore`` in step with one kind through a ``Watcher`` (the Identities, for the periodic
/// audit). A kind that is not served is retried like any watcher failure; the store stays empty meanwhile.
public final class ObjectMirror: Service, Sendable {
    public let store: ObjectStore
    private let watcher: Watcher

    /// - Parameter client: the caller's; the mirror uses it and never closes it.
    public init(client: KubernetesClient, kind: ResourceKind, store: ObjectStore = ObjectStore(),
                timing: WatcherTiming = WatcherTiming(), logger: Logger)
    {
        self.store = store
        watcher = Watcher(client: client, kind: kind, timing: timing, logger: logger)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [watcher, store] in
            for await event in watcher { store.apply(event) }
        }
    }
}
