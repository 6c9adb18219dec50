public import ClusterAudit
public import ClusterCache
import IdentityRules
import KubeJSON

/// One-shot reads of a cluster for the commands that are not `serve` (`check --kubeconfig`, `audit`): each
/// makes its apiserver client, reads in pages, and closes the client whatever happens.
///
/// The composition root is the one place that builds cluster components; the commands ask it for what they
/// need instead of wiring clients themselves.
public enum ClusterReads {
    /// The name and email of every User (what `check --kubeconfig` compares manifests against).
    public static func userEmails(credentials: KubernetesCredentials) async throws(KubernetesError)
        -> [(name: String, email: String?)]
    {
        try await withClient(credentials) { client throws(KubernetesError) in
            try await UsersCache.listUsers(client: client)
        }
    }

    /// `audit`: the cluster read in pages and checked as they arrive (``ClusterAudit/PagedAudit``), never held
    /// whole.
    public static func audit(credentials: KubernetesCredentials, auditor: ClusterAuditor, keepingClean: Bool,
                             pageSize: Int = 500) async throws(KubernetesError) -> PagedAudit.Outcome
    {
        try await withClient(credentials) { client throws(KubernetesError) in
            try await PagedAudit(auditor: auditor, pageSize: pageSize).run(client: client, keepingClean: keepingClean)
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
