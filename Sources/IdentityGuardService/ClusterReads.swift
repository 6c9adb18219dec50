public import ClusterCache
import IdentityRules
public import KubeJSON

/// One-shot reads of a cluster for the commands that are not `serve` (`check --kubeconfig`, `audit`): each
/// makes its apiserver client, reads in pages, and closes the client whatever happens.
///
/// The composition root is the one place that builds cluster components; the commands ask it for what they
/// need instead of wiring clients themselves.
public enum ClusterReads {
    /// What `audit` reads: every User and Identity, whole.
    public struct StoredObjects: Sendable {
        public var users: [JSONObject]
        public var identities: [JSONObject]
        /// False when `identities.user.openshift.io` is not served by the cluster (no Identities to read).
        public var identitiesServed: Bool
    }

    /// The name and email of every User (what `check --kubeconfig` compares manifests against).
    public static func userEmails(credentials: KubernetesCredentials) async throws(KubernetesError)
        -> [(name: String, email: String?)]
    {
        try await withClient(credentials) { client throws(KubernetesError) in
            try await UsersCache.listUsers(client: client)
        }
    }

    /// Every stored User and Identity.
    public static func storedObjects(credentials: KubernetesCredentials) async throws(KubernetesError)
        -> StoredObjects
    {
        try await withClient(credentials) { client throws(KubernetesError) in
            let users = try await ListPager.collect(client: client, kind: .user) { $0 }.items
            do throws(KubernetesError) {
                let identities = try await ListPager.collect(client: client, kind: .identity) { $0 }.items
                return StoredObjects(users: users, identities: identities, identitiesServed: true)
            } catch where error.code == .notFound {
                return StoredObjects(users: users, identities: [], identitiesServed: false)
            }
        }
    }

    private static func withClient<T: Sendable>(
        _ credentials: KubernetesCredentials,
        _ body: (KubernetesClient) async throws(KubernetesError) -> T
    ) async throws(KubernetesError) -> T {
        let client = try KubernetesClient(credentials: credentials)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
