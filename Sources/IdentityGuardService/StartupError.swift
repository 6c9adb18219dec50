/// Why `serve` could not start: a certificate it cannot serve with, cluster credentials it cannot use,
/// a listener it cannot bind. Not a usage error: the command line was fine, the environment was not.
public struct StartupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// The serving certificate, its key or the client CA cannot be used.
        case certificate
        /// `--dev` could not make or write its certificates.
        case developmentCertificate
        /// The kubeconfig or the pod's service account cannot be used.
        case clusterCredentials
        /// The HTTP servers could not be set up.
        case server
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
