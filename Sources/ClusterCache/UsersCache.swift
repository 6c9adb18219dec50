import IdentityRules
#if canImport(Glibc)
import Glibc
#endif
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
            },
            keep: Self.slim(_:)
        )
        var reflectorObserver = Reflector.Observer()
        reflectorObserver.listed = { count, first in
            // Called once the list's pages are released, so the trim returns their memory.
            Self.returnFreedMemory()
            observer.synced(count, first)
        }
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

    /// Hands the memory a full list freed back to the system. A list of 100,000 Users is parsed page by page
    /// into short-lived objects; glibc keeps the freed pages, so without this the process stays ~25 MiB larger
    /// than what it holds (measured: 104–111 MiB resident with 100,000 Users, 80–85 MiB with the trim). Runs once
    /// per list, never per request.
    static func returnFreedMemory() {
        #if canImport(Glibc)
        // malloc.h is not part of Swift's Glibc module: look the function up (RTLD_DEFAULT is a null handle).
        typealias Trim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: Trim.self)(0) }
        #endif
    }

    /// The name and email of a listed or watched User.
    static func user(from object: JSONObject) -> (name: String, email: String?)? {
        guard let name = object["metadata"]?["name"]?.stringValue else { return nil }
        return (name, object["spec"]?["email"]?.stringValue)
    }

    /// A listed User reduced to its name and email, what the index needs, while the rest of the list arrives.
    static func slim(_ object: JSONObject) -> JSONObject? {
        guard let user = user(from: object) else { return nil }
        var slim = JSONObject()
        slim["metadata"] = .object(JSONObject([.init(key: "name", value: .string(user.name))]))
        if let email = user.email { slim["spec"] = .object(JSONObject([.init(key: "email", value: .string(email))])) }
        return slim
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
