public import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ClusterCache
import IdentityGuardService
import IdentityRules
import Manifests
import Logging
import WebhookServer

/// `identity-guard serve`: the HTTPS admission webhook (README, "The webhook").
///
/// It parses flags and hands them to ``ServiceManager``, which builds and runs everything; every default a flag
/// shows is the manager's or the server configuration's own.
public struct ServeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the validating and mutating admission webhook over HTTPS.",
        discussion: """
            Serves POST /validate and POST /mutate (AdmissionReview v1 and v1beta1), GET /healthz, /readyz and \
            /metrics. The certificate and key are reloaded when their files change. Use --dev for a throwaway \
            certificate on localhost.
            """
    )

    @Flag(help: """
        Development mode: make a throwaway CA and a certificate for localhost/127.0.0.1, write the CA to a printed \
        path, and serve on 127.0.0.1.
        """)
    var dev = false

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain (leaf first).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of the certificate.")
    var tlsKey: String?

    @Option(help: "HTTPS port of the webhook.")
    var port: Int = Self.defaults.port

    @Option(help: "Address to listen on (default 0.0.0.0; 127.0.0.1 with --dev).")
    var address: String?

    @Option(name: .customLong("client-ca"), help: """
        PEM CA bundle; when set, clients must present a certificate it signed (mTLS).
        """)
    var clientCA: String?

    @Flag(help: "Also offer HTTP/2 through ALPN (the apiserver itself uses HTTP/1.1).")
    var http2 = false

    @Option(name: .customLong("metrics-port"), help: "Plain-HTTP port for /healthz, /readyz and /metrics; 0 for none.")
    var metricsPort: Int = Self.defaults.metricsPort ?? 0

    @Option(help: "YAML file with per-rule enforcement: rules: { RULE-ID: deny | warn | off }.")
    var config: String?

    @Option(help: "Read Users from the cluster of this kubeconfig's current context (user.email-unique).")
    var kubeconfig: String?

    @Flag(name: .customLong("in-cluster"), help: "Read Users with the pod's service account (the default in a pod).")
    var inCluster = false

    @Flag(name: .customLong("no-cluster"), help: """
        Do not read the cluster: emails are unique among this replica's own reservations only (the default outside a \
        pod).
        """)
    var noCluster = false

    @Option(help: """
        Who decides that a new email is unique: lease (a Lease per email in the apiserver, exact across replicas; the \
        default with a cluster) or local (this replica's reservations; the default without one).
        """)
    var claims: ClaimsArgument?

    @Option(name: .customLong("claims-namespace"), help: """
        Namespace of the email claim Leases (default: the pod's namespace, else identity-guard).
        """)
    var claimsNamespace: String?

    @Option(name: .customLong("audit-interval"), help: """
        Audit the stored Users and Identities this often (30s, 10m, 1h); off by default. Needs a cluster.
        """)
    var auditInterval: DurationArgument?

    @Option(name: .customLong("shutdown-delay"), help: """
        After SIGTERM, how long /readyz is 503 while the webhook still serves, before it stops accepting (0s: stop at \
        once).
        """)
    var shutdownDelay = DurationArgument(Options.defaultShutdownDelay)

    @Option(name: .customLong("reservation-ttl"), help: """
        Seconds an allowed email stays reserved while the watch has not shown it.
        """)
    var reservationTTL: Int = Int(Options.defaultReservationTTL.components.seconds)

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted (413 above).")
    var maxBodyBytes: Int = Self.defaults.maxBodyBytes

    @Option(name: .customLong("max-connections"), help: """
        Most connections the webhook port holds at once; more are closed at accept.
        """)
    var maxConnections: Int = Self.defaults.maxConnections

    @Option(name: .customLong("read-timeout"), help: "Seconds a request may take to arrive once started.")
    var readTimeout: Int = Int(Self.defaults.readTimeout.components.seconds)

    @Option(name: .customLong("idle-timeout"), help: "Seconds an idle keep-alive connection is kept.")
    var idleTimeout: Int = Int(Self.defaults.idleTimeout.components.seconds)

    @Option(name: .customLong("cert-poll-interval"), help: "Seconds between certificate file checks (besides inotify).")
    var certificatePollInterval: Int = Int(Self.defaults.certificatePollInterval.components.seconds)

    @Option(name: .customLong("log-format"), help: "Log line format: json or text.")
    var logFormat: LogFormatArgument = .json

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: LogLevelArgument = .info

    typealias Options = ServiceManager.Options

    /// The server settings no flag overrides.
    static let defaults = WebhookServerConfiguration(certificateFile: "", privateKeyFile: "")

    public init() {}

    public func validate() throws {
        if dev {
            guard tlsCertificate == nil, tlsKey == nil else {
                throw ValidationError("--dev makes its own certificate; drop --tls-cert and --tls-key")
            }
        } else if tlsCertificate == nil || tlsKey == nil {
            throw ValidationError("--tls-cert and --tls-key are required (or use --dev for a throwaway certificate)")
        }
        guard [kubeconfig != nil, inCluster, noCluster].filter({ $0 }).count <= 1 else {
            throw ValidationError("choose one of --kubeconfig, --in-cluster and --no-cluster")
        }
        if auditInterval?.isZero == true {
            throw ValidationError("--audit-interval must be positive")
        }
        if auditInterval != nil && noCluster {
            throw ValidationError("--audit-interval needs a cluster; it cannot go with --no-cluster")
        }
        if claims == .lease && noCluster {
            throw ValidationError("--claims lease needs a cluster; it cannot go with --no-cluster")
        }
        guard reservationTTL > 0 else { throw ValidationError("--reservation-ttl must be positive") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard readTimeout > 0, idleTimeout > 0, certificatePollInterval > 0 else {
            throw ValidationError("timeouts and intervals must be positive")
        }
    }

    public func run() async throws {
        let logger = Logger(label: "identity-guard") { label in
            LineLogHandler(label: label, format: logFormat.format, level: logLevel.level)
        }
        var options = Options(server: serverConfiguration())
        options.developmentCertificates = dev
        options.cluster = clusterSource
        options.reservationTTL = .seconds(reservationTTL)
        switch claims {
        case .lease?: options.claims = .lease(namespace: claimsNamespace)
        case .local?: options.claims = .local
        case nil: options.claims = .automatic(namespace: claimsNamespace)
        }
        options.version = IdentityGuardVersion.current
        options.auditInterval = auditInterval?.duration
        options.shutdownDelay = shutdownDelay.duration
        if let config {
            do {
                options.rules = try RuleConfigurationFile.load(config)
            } catch where error.code == .yaml {
                // YAML refused before it became values (an alias bomb): a start-up error, like an unreadable key.
                try CommandOutput.emit(CommandOutcome(standardError: "identity-guard serve: \(error.description)\n",
                                                      status: 1))
                return
            } catch {
                throw ValidationError(error.description)
            }
        }
        let service: ServiceManager
        do {
            service = try ServiceManager(options: options, logger: logger)
        } catch {
            try CommandOutput.emit(CommandOutcome(standardError: "identity-guard serve: \(error.message)\n",
                                                  status: 1))
            return
        }
        if let files = service.developmentCertificates {
            print("""
                identity-guard serve --dev: a throwaway CA and a certificate for localhost and 127.0.0.1.
                  CA certificate: \(files.authorityFile)
                  try: curl --cacert \(files.authorityFile) https://localhost:\(port)/healthz
                """)
            fflush(nil)
        }
        try await service.run()
    }

    /// The server settings the flags give (the certificate files are the development ones with `--dev`).
    func serverConfiguration() -> WebhookServerConfiguration {
        var configuration = Self.defaults
        configuration.certificateFile = tlsCertificate ?? ""
        configuration.privateKeyFile = tlsKey ?? ""
        configuration.address = address ?? (dev ? "127.0.0.1" : "0.0.0.0")
        configuration.port = port
        configuration.metricsPort = metricsPort == 0 ? nil : metricsPort
        configuration.clientCAFile = clientCA
        configuration.http2 = http2
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxConnections = maxConnections
        configuration.readTimeout = .seconds(readTimeout)
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.certificatePollInterval = .seconds(certificatePollInterval)
        return configuration
    }

    /// `--kubeconfig`, `--in-cluster`, `--no-cluster`, or the default for where the process runs.
    var clusterSource: ClusterSource {
        if let kubeconfig { return .kubeconfig(kubeconfig) }
        if inCluster { return .inCluster }
        return noCluster ? .none : .automatic
    }
}
