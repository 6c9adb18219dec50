import KubeJSON
import NIOCore
import NIOHTTP1

/// Whether this replica can create claim Leases in its claims namespace, asked the only way that answers
/// truthfully: a `dryRun=All` create of a probe Lease.
///
/// An access review (`SelfSubjectAccessReview`) answers "allowed" for an admin while the namespace does not
/// exist, and a missing namespace is exactly what makes every claim fail. A dry run goes through
/// authentication, authorization, admission and validation and stores nothing.
public struct LeaseAccessProbe: Sendable {
    /// What the probe found.
    public enum Verdict: Sendable, Hashable {
        case writable
        /// Leases cannot be created; the reason names the namespace and what is wrong, for `/readyz` and the log.
        case notWritable(String)
    }

    /// The name of the probe Lease (never stored).
    public static let probeName = "identity-guard-readiness-probe"

    public let namespace: String
    private let client: KubernetesClient
    private let timeout: Duration

    public init(client: KubernetesClient, namespace: String, timeout: Duration = .seconds(5)) {
        self.client = client
        self.namespace = namespace
        self.timeout = timeout
    }

    /// Asks the apiserver once.
    public func check() async -> Verdict {
        let path = "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases?dryRun=All"
        let lease: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(Self.probeName), "namespace": .string(namespace)],
            "spec": ["holderIdentity": "identity-guard", "leaseDurationSeconds": 1],
        ]
        do {
            let reply = try await client.send(.POST, path, body: lease, timeout: TimeAmount(timeout))
            return Self.verdict(status: reply.status, body: reply.body, namespace: namespace)
        } catch {
            return .notWritable("cannot reach the apiserver to check leases in namespace \"\(namespace)\": "
                + error.description)
        }
    }

    /// The verdict of an answer to the dry-run create.
    static func verdict(status: Int, body: JSONValue?, namespace: String) -> Verdict {
        let message = body?["message"]?.stringValue ?? ""
        switch status {
        case 200, 201, 202:
            return .writable
        case 409 where body?["reason"]?.stringValue == "AlreadyExists":
            return .writable  // a Lease of that name exists: creating one was allowed
        case 404:
            return .notWritable("claims namespace \"\(namespace)\" not found")
        case 403 where body?["details"]?["kind"]?.stringValue == "namespaces":
            // Creating in a namespace being deleted is forbidden too, with its own message.
            return .notWritable("claims namespace \"\(namespace)\": \(message)")
        case 401, 403:
            return .notWritable("cannot create leases in namespace \"\(namespace)\": \(message)")
        default:
            return .notWritable("cannot create leases in namespace \"\(namespace)\": HTTP \(status) \(message)")
        }
    }
}
