#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which cluster a command talks to: `--kubeconfig`, `--in-cluster`, `--no-cluster`, or, with none of them, the
/// pod's service account when running in a pod and no cluster otherwise.
///
/// The one place credentials are chosen, for `serve`, `check --kubeconfig` and `audit` alike.
public enum ClusterSource: Sendable, Hashable {
    case kubeconfig(String)
    case inCluster
    case none
    case automatic

    /// The credentials to use (nil: no cluster) and how the start-up log describes the choice.
    public func resolve() throws(KubernetesError) -> (credentials: KubernetesCredentials?, description: String) {
        switch self {
        case .kubeconfig(let path):
            let credentials = try KubernetesCredentials.kubeconfig(path)
            return (credentials, "\(credentials.source) (\(credentials.server))")
        case .inCluster:
            return (try KubernetesCredentials.inCluster(), "in-cluster service account, --in-cluster")
        case .automatic where KubernetesCredentials.runningInCluster():
            return (try KubernetesCredentials.inCluster(), "in-cluster service account, running in a pod")
        case .none, .automatic:
            break
        }
        let why = self == .none ? "--no-cluster" : "not in a pod and no --kubeconfig"
        return (nil, "none (\(why)): emails are unique among this replica's own reservations only")
    }

    /// The credentials of a command that needs a cluster (`check --kubeconfig`, `audit`).
    public func requireCredentials() throws(KubernetesError) -> KubernetesCredentials {
        guard let credentials = try resolve().credentials else {
            throw KubernetesError(.configuration, "no cluster: give --kubeconfig FILE, or --in-cluster in a pod")
        }
        return credentials
    }

    /// The namespace of the pod's service account, when running in one.
    public static func podNamespace(
        file: String = KubernetesCredentials.serviceAccountDirectory + "/namespace"
    ) -> String? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let text = String(decoding: data, as: UTF8.self).filter { !$0.isWhitespace }
        return text.isEmpty ? nil : text
    }
}
