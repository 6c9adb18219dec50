import IdentityRules
public import Logging
public import ServiceLifecycle

/// The webhook's view of the cluster's Users: a ``ClusterEmailIndex`` fed by a ``Reflector`` on
/// `users.auth.alauda.io`, plus the periodic purge of expired reservations.
///
/// Without a client (`--no-cluster`) it runs only the purge: the index then holds this replica's own
/// reservations, which is all such a webhook can know.
public final class UsersCache: Service, Sendable {
    /// Events for readiness and metrics.
    public struct Observer: Sendable {
        public var synced: @Sendable (_ users: Int, _ first: Bool) -> Void = { _, _ in }
        public var relisted: @Sendable () -> Void = {}
        public var watchRestarted: @Sendable () -> Void = {}
        public var changed: @Sendable (_ users: Int) -> Void = { _ in }

        public init() {}
    }

    public let index: ClusterEmailIndex
    private let reflector: Reflector?
    private let client: KubernetesClient?

    public init(client: KubernetesClient?, index: ClusterEmailIndex = ClusterEmailIndex(), observer: Observer = Observer(),
                timing: Reflector.Timing = Reflector.Timing(), logger: Logger)
    {
        self.index = index
        self.client = client
        guard let client else {
            reflector = nil
            return
        }
        let sink = Reflector.Sink(
            replaceAll: { objects in index.replaceAll(objects.compactMap(Self.user(from:))) },
            upsert: { object in
                guard let user = Self.user(from: object) else { return }
                index.upsert(name: user.name, email: user.email)
            },
            delete: { object in
                guard let name = object["metadata"]?["name"]?.stringValue else { return }
                index.remove(name: name)
            }
        )
        var reflectorObserver = Reflector.Observer()
        reflectorObserver.listed = { count, first in observer.synced(count, first) }
        reflectorObserver.relisting = observer.relisted
        reflectorObserver.watchRestarted = observer.watchRestarted
        reflectorObserver.applied = { observer.changed(index.userCount) }
        reflector = Reflector(client: client, resource: .users, sink: sink, observer: reflectorObserver,
                              timing: timing, logger: logger)
    }

    /// Every User of the cluster, listed once in pages (for `check --kubeconfig`).
    public static func listUsers(client: KubernetesClient, pageSize: Int = 500) async throws(KubernetesError)
        -> [(name: String, email: String?)]
    {
        var users: [(name: String, email: String?)] = []
        var token: String?
        repeat {
            let page = try await client.list(.users, limit: pageSize, continueToken: token)
            users.append(contentsOf: page.items.compactMap(user(from:)))
            token = page.continueToken
        } while token != nil
        return users
    }

    /// The name and email of a listed or watched User.
    static func user(from object: JSONObject) -> (name: String, email: String?)? {
        guard let name = object["metadata"]?["name"]?.stringValue else { return nil }
        return (name, object["spec"]?["email"]?.stringValue)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [reflector, index] in
            await Self.runAll(reflector: reflector, index: index)
        }
        await client?.shutdown()
    }

    private static func runAll(reflector: Reflector?, index: ClusterEmailIndex) async {
        await withTaskGroup(of: Void.self) { group in
            if let reflector { group.addTask { await reflector.run() } }
            group.addTask { [index] in
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: index.reservationTTL)
                    index.purgeExpiredReservations()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
