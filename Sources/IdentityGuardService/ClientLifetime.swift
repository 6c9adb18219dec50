import ClusterCache
import ServiceLifecycle

/// The apiserver client's place in the shutdown order: it is closed when this service stops, which the
/// manager places after every component that calls the apiserver (``ServiceStage/apiserverClient``).
///
/// The client is shared — the Users cache, the email claims and the Identity mirror all use it — so none of
/// them may close it; the manager, which made it, closes it here.
struct ClientLifetime: Service {
    let client: KubernetesClient

    func run() async throws {
        try? await gracefulShutdown()
        await client.shutdown()
    }
}
