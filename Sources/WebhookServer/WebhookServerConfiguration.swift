/// Everything `identity-guard serve` can be told, with the defaults the README lists.
public struct WebhookServerConfiguration: Sendable {
    public var address: String = "0.0.0.0"
    /// The HTTPS webhook port; 0 picks a free one (tests).
    public var port: Int = 8443
    /// A plain-HTTP port for probes and metrics; nil serves them on the webhook port only.
    public var metricsPort: Int? = 8080
    public var certificateFile: String
    public var privateKeyFile: String
    /// When set, clients must present a certificate signed by one of these CAs (mTLS).
    public var clientCAFile: String?
    /// Offer HTTP/2 through ALPN besides HTTP/1.1.
    public var http2: Bool = false
    /// Bodies larger than this are refused with 413 (default 7 MiB, like the apiserver's own limit).
    public var maxBodyBytes: Int = 7 * 1024 * 1024
    /// The most connections the webhook port holds at once; more are closed at accept (and counted). The
    /// metrics port has a cap of the same size of its own.
    public var maxConnections: Int = 4_096
    /// A connection with no traffic for this long is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// A request must arrive complete within this time of its first byte, or the connection is closed.
    public var readTimeout: Duration = .seconds(10)
    /// Event loop threads of the webhook port; nil runs one per CPU this process may use (its affinity mask
    /// and cgroup quota).
    public var eventLoopThreads: Int?
    /// How often the certificate files are re-read, besides inotify.
    public var certificatePollInterval: Duration = .seconds(10)

    public init(certificateFile: String, privateKeyFile: String) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }
}
