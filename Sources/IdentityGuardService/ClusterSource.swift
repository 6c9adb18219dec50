public import ClusterCache
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the webhook reads the cluster's Users from: `--kubeconfig`, `--in-cluster`, `--no-cluster`, or, with
/// none of them, the pod's service account when running in a pod and no cluster otherwise.
public enum ClusterSource: Sendable, Hashable {
    case kubeconfig(String)
    case inCluster
    case none
    case automatic

    /// The credentials to use (nil: no cluster) and how the start-up log describes the choice.
    public func resolve() throws(StartupError) -> (credentials: KubernetesCredentials?, description: String) {
        do {
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
        } catch {
            throw StartupError(.clusterCredentials, error.description)
        }
        let why = self == .none ? "--no-cluster" : "not in a pod and no --kubeconfig"
        return (nil, "none (\(why)): emails are unique among this replica's own reservations only")
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
