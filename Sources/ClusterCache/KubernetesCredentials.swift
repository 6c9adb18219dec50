public import Foundation
public import NIOSSL
import Yams
import YAMLBounds
import KubeJSON

/// Where the API server is and how to authenticate to it: in-cluster service-account credentials or a
/// kubeconfig's current context.
///
/// Bearer tokens from files are read again for every request, so a rotated service-account token (projected
/// tokens expire hourly) is picked up without a restart.
public struct KubernetesCredentials: Sendable {
    /// Where a bearer token comes from.
    public enum Token: Sendable {
        case literal(String)
        case file(String)

        func current() throws(KubernetesError) -> String {
            switch self {
            case .literal(let token): return token
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw KubernetesError(.configuration, "cannot read the bearer token file \(path)")
                }
                var token = String(decoding: data, as: UTF8.self)
                while token.last?.isWhitespace == true { token.removeLast() }
                return token
            }
        }
    }

    /// `https://host:port`, without a trailing slash.
    public var server: String
    /// CAs that sign the API server's certificate; nil trusts the system roots.
    public var trustRoots: [NIOSSLCertificate]?
    public var insecureSkipTLSVerify: Bool = false
    public var token: Token?
    public var clientCertificate: [NIOSSLCertificate]?
    public var clientKey: NIOSSLPrivateKey?
    /// Where the credentials came from, for logs.
    public var source: String

    public init(server: String, trustRoots: [NIOSSLCertificate]? = nil, token: Token? = nil, source: String) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.trustRoots = trustRoots
        self.token = token
        self.source = source
    }

    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Whether this process runs in a pod (the service host variable and a service-account token exist).
    public static func runningInCluster(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["KUBERNETES_SERVICE_HOST"] != nil
            && FileManager.default.fileExists(atPath: serviceAccountDirectory + "/token")
    }

    /// The pod's service-account credentials (`KUBERNETES_SERVICE_HOST`/`_PORT`, token, cluster CA).
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = serviceAccountDirectory
    ) throws(KubernetesError) -> KubernetesCredentials {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw KubernetesError(.configuration, "--in-cluster: KUBERNETES_SERVICE_HOST is not set (not in a pod?)")
        }
        let port = environment["KUBERNETES_SERVICE_PORT"] ?? "443"
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let roots: [NIOSSLCertificate]
        do {
            roots = try NIOSSLCertificate.fromPEMFile(directory + "/ca.crt")
        } catch {
            throw KubernetesError(.configuration,
                                  "--in-cluster: cannot read the cluster CA \(directory)/ca.crt: \(error)")
        }
        guard FileManager.default.fileExists(atPath: directory + "/token") else {
            throw KubernetesError(.configuration, "--in-cluster: no service-account token at \(directory)/token")
        }
        return KubernetesCredentials(server: "https://\(hostPart):\(port)", trustRoots: roots,
                                     token: .file(directory + "/token"), source: "in-cluster service account")
    }

    /// The current context of a kubeconfig file: its cluster's server and CA, and its user's token or client
    /// certificate. Relative paths are relative to the kubeconfig's directory; exec and auth-provider plugins
    /// are not supported (the error says so).
    public static func kubeconfig(_ path: String, context requested: String? = nil) throws(KubernetesError)
        -> KubernetesCredentials
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubernetesError(.configuration, "cannot read the kubeconfig \(path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw KubernetesError(.configuration, "the kubeconfig \(path) is empty")
        }
        if let refusal = YAMLAliasBudget.standard.check(text) {
            throw KubernetesError(.configuration, "the kubeconfig \(path):\(refusal.description)")
        }
        let config: Kubeconfig
        do {
            config = try YAMLDecoder().decode(Kubeconfig.self, from: text)
        } catch {
            throw KubernetesError(.configuration, "the kubeconfig \(path) is not a valid kubeconfig: \(error)")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func fail(_ message: String) -> KubernetesError {
            KubernetesError(.configuration, "kubeconfig \(path): \(message)")
        }
        guard let contextName = requested ?? config.currentContext, !contextName.isEmpty else {
            throw fail("no current-context")
        }
        guard let context = config.contexts?.first(where: { $0.name == contextName })?.context else {
            throw fail("context \(GoQuote.quote(contextName)) not found")
        }
        guard let clusterName = context.cluster,
            let cluster = config.clusters?.first(where: { $0.name == clusterName })?.cluster,
            let server = cluster.server
        else { throw fail("the cluster of context \(GoQuote.quote(contextName)) is missing or has no server") }
        guard server.hasPrefix("https://") else { throw fail("server \(server) is not https") }
        func resolve(_ file: String) -> String { file.hasPrefix("/") ? file : directory + "/" + file }
        func pem(data encoded: String?, file: String?, _ name: String) throws(KubernetesError) -> [UInt8]? {
            if let encoded {
                guard let decoded = Data(base64Encoded: encoded) else { throw fail("\(name)-data is not base64") }
                return Array(decoded)
            }
            if let file {
                guard let contents = FileManager.default.contents(atPath: resolve(file)) else {
                    throw fail("cannot read \(name) \(resolve(file))")
                }
                return Array(contents)
            }
            return nil
        }
        var credentials = KubernetesCredentials(server: server, source: "kubeconfig \(path), context \(contextName)")
        credentials.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify ?? false
        if let ca = try pem(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority,
                            "certificate-authority")
        {
            do {
                credentials.trustRoots = try NIOSSLCertificate.fromPEMBytes(ca)
            } catch {
                throw fail("the certificate authority is not PEM: \(error)")
            }
        }
        if let userName = context.user, let user = config.users?.first(where: { $0.name == userName })?.user {
            if user.exec != nil || user.authProvider != nil {
                throw fail("user \(GoQuote.quote(userName)) uses an exec or auth-provider plugin, which "
                    + "identity-guard does not run; use a token or a client certificate")
            }
            if let token = user.token {
                credentials.token = .literal(token)
            } else if let tokenFile = user.tokenFile {
                credentials.token = .file(resolve(tokenFile))
            }
            if let certificate = try pem(data: user.clientCertificateData, file: user.clientCertificate,
                                         "client-certificate"),
                let key = try pem(data: user.clientKeyData, file: user.clientKey, "client-key")
            {
                do {
                    credentials.clientCertificate = try NIOSSLCertificate.fromPEMBytes(certificate)
                    credentials.clientKey = try NIOSSLPrivateKey(bytes: key, format: .pem)
                } catch {
                    throw fail("the client certificate or key is not PEM: \(error)")
                }
            }
        }
        return credentials
    }
}
