/// The parts of a kubeconfig file identity-guard reads, decoded with Yams' `YAMLDecoder`.
///
/// Only what selecting the current context needs: its cluster (server, CA, TLS verification) and its user
/// (a token, a token file or a client certificate). Exec and auth-provider plugins are recognised so that
/// they can be refused with a clear message.
struct Kubeconfig: Decodable {
    struct NamedContext: Decodable {
        var name: String
        var context: Context
    }

    struct Context: Decodable {
        var cluster: String?
        var user: String?
    }

    struct NamedCluster: Decodable {
        var name: String
        var cluster: Cluster
    }

    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }

    struct NamedUser: Decodable {
        var name: String
        var user: User
    }

    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var exec: Present?
        var authProvider: Present?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    /// Any value: records only that a key is there.
    struct Present: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    var currentContext: String?
    var contexts: [NamedContext]?
    var clusters: [NamedCluster]?
    var users: [NamedUser]?

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case contexts, clusters, users
    }
}
