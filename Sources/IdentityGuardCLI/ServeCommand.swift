public import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Admission
import IdentityRules
import Logging
import ServiceLifecycle
import UnixSignals
import WebhookServer
import ClusterCache

/// `identity-guard serve`: the HTTPS admission webhook (SPEC §2, §4, §5).
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

    @Flag(help: "Development mode: make a throwaway CA and a certificate for localhost/127.0.0.1, write the CA to a printed path, and serve on 127.0.0.1.")
    var dev = false

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain (leaf first).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of the certificate.")
    var tlsKey: String?

    @Option(help: "HTTPS port of the webhook.")
    var port: Int = 8443

    @Option(help: "Address to listen on (default 0.0.0.0; 127.0.0.1 with --dev).")
    var address: String?

    @Option(name: .customLong("client-ca"), help: "PEM CA bundle; when set, clients must present a certificate it signed (mTLS).")
    var clientCA: String?

    @Flag(help: "Also offer HTTP/2 through ALPN (the apiserver itself uses HTTP/1.1).")
    var http2 = false

    @Option(name: .customLong("metrics-port"), help: "Plain-HTTP port for /healthz, /readyz and /metrics; 0 for none.")
    var metricsPort: Int = 8080

    @Option(help: "YAML file with per-rule enforcement: rules: { RULE-ID: deny | warn | off }.")
    var config: String?

    @Option(help: "Read Users from the cluster of this kubeconfig's current context (user.email-unique).")
    var kubeconfig: String?

    @Flag(name: .customLong("in-cluster"), help: "Read Users with the pod's service account (the default in a pod).")
    var inCluster = false

    @Flag(name: .customLong("no-cluster"), help: "Do not read the cluster: emails are unique among this replica's own reservations only (the default outside a pod).")
    var noCluster = false

    @Option(name: .customLong("reservation-ttl"), help: "Seconds an allowed email stays reserved while the watch has not shown it.")
    var reservationTTL: Int = 30

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted (413 above).")
    var maxBodyBytes: Int = 7 * 1024 * 1024

    @Option(name: .customLong("read-timeout"), help: "Seconds a request may take to arrive once started.")
    var readTimeout: Int = 10

    @Option(name: .customLong("idle-timeout"), help: "Seconds an idle keep-alive connection is kept.")
    var idleTimeout: Int = 60

    @Option(name: .customLong("cert-poll-interval"), help: "Seconds between certificate file checks (besides inotify).")
    var certificatePollInterval: Int = 10

    @Option(name: .customLong("log-format"), help: "Log line format: json or text.")
    var logFormat: LogFormatArgument = .json

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: LogLevelArgument = .info

    @Flag(name: .customLong("canned-answers"), help: .hidden)
    var cannedAnswers = false

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
        guard reservationTTL > 0 else { throw ValidationError("--reservation-ttl must be positive") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard readTimeout > 0, idleTimeout > 0, certificatePollInterval > 0 else {
            throw ValidationError("timeouts and intervals must be positive")
        }
    }

    public func run() async throws {
        let logger = Logger(label: "identity-guard") { label in
            LineLogHandler(label: label, format: logFormat.format, level: logLevel.level)
        }
        var ruleConfiguration = RuleConfiguration.defaults
        if let config {
            do {
                ruleConfiguration = try RuleConfigurationFile.load(config)
            } catch {
                throw ValidationError(error.description)
            }
        }
        var configuration: WebhookServerConfiguration
        if dev {
            let files = try DevelopmentCertificates.write()
            configuration = WebhookServerConfiguration(certificateFile: files.certificate, privateKeyFile: files.key)
            configuration.address = address ?? "127.0.0.1"
            print("""
                identity-guard serve --dev: a throwaway CA and a certificate for localhost and 127.0.0.1.
                  CA certificate: \(files.authority)
                  try: curl --cacert \(files.authority) https://localhost:\(port)/healthz
                """)
            fflush(nil)
        } else {
            configuration = WebhookServerConfiguration(certificateFile: tlsCertificate!, privateKeyFile: tlsKey!)
            configuration.address = address ?? "0.0.0.0"
        }
        configuration.port = port
        configuration.metricsPort = metricsPort == 0 ? nil : metricsPort
        configuration.clientCAFile = clientCA
        configuration.http2 = http2
        configuration.maxBodyBytes = maxBodyBytes
        configuration.readTimeout = .seconds(readTimeout)
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.certificatePollInterval = .seconds(certificatePollInterval)
        configuration.cannedAnswers = cannedAnswers

        let cluster = try clusterSource()
        let index = ClusterEmailIndex(reservationTTL: .seconds(reservationTTL))
        let handler = AdmissionHandler(reviewer: AdmissionReviewer(engine: RuleEngine(configuration: ruleConfiguration),
                                                                   emailIndex: index))
        let metrics = AdmissionMetrics()
        let readiness = ReadinessState()
        let server: WebhookServer
        do {
            server = try WebhookServer(configuration: configuration, handler: handler, metrics: metrics,
                                       readiness: readiness, logger: logger)
        } catch {
            throw ValidationError(error.description)
        }
        var client: KubernetesClient?
        if let credentials = cluster.credentials {
            do {
                client = try KubernetesClient(credentials: credentials)
            } catch {
                throw ValidationError(error.description)
            }
            readiness.set("cluster-cache", ready: false)
        }
        let cache = UsersCache(client: client, index: index, observer: Self.cacheObserver(metrics, readiness, logger),
                               logger: logger)
        logger.info("starting identity-guard", metadata: [
            "version": "\(IdentityGuardVersion.current)",
            "certificate": "\(server.certificates.certificate.subject)",
            "cluster": "\(cluster.description)",
            "http2": "\(http2)", "mtls": "\(clientCA != nil)",
        ])
        let services = try server.services { listener, port in
            logger.info("listening", metadata: ["listener": "\(listener.rawValue)", "port": "\(port)"])
        } + [cache]
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
        logger.info("stopped")
    }
}

extension ServeCommand {
    /// Where Users come from, and how the startup log describes it.
    struct ClusterSource {
        var credentials: KubernetesCredentials?
        var description: String
    }

    func clusterSource() throws -> ClusterSource {
        do {
            if let kubeconfig {
                let credentials = try KubernetesCredentials.kubeconfig(kubeconfig)
                return ClusterSource(credentials: credentials, description: "\(credentials.source) (\(credentials.server))")
            }
            if inCluster || (!noCluster && KubernetesCredentials.runningInCluster()) {
                let credentials = try KubernetesCredentials.inCluster()
                let chosen = inCluster ? "--in-cluster" : "running in a pod"
                return ClusterSource(credentials: credentials, description: "\(credentials.source), \(chosen)")
            }
        } catch {
            throw ValidationError(error.description)
        }
        let why = noCluster ? "--no-cluster" : "not in a pod and no --kubeconfig"
        return ClusterSource(credentials: nil, description: "none (\(why)): emails are unique among this "
            + "replica's own reservations only")
    }

    static func cacheObserver(_ metrics: AdmissionMetrics, _ readiness: ReadinessState, _ logger: Logger)
        -> UsersCache.Observer
    {
        var observer = UsersCache.Observer()
        observer.synced = { users, first in
            metrics.setGauge("identity_guard_cache_users", Double(users))
            metrics.setGauge("identity_guard_cache_last_sync_timestamp_seconds", Date().timeIntervalSince1970)
            if first {
                readiness.set("cluster-cache", ready: true)
                logger.info("cluster cache synced; ready", metadata: ["users": "\(users)"])
            }
        }
        observer.relisted = { metrics.increment("identity_guard_cache_relists_total") }
        observer.watchRestarted = { metrics.increment("identity_guard_cache_watch_restarts_total") }
        observer.changed = { users in metrics.setGauge("identity_guard_cache_users", Double(users)) }
        return observer
    }
}

/// `--log-format`.
enum LogFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case json
    case text

    var format: LogFormat { self == .json ? .json : .text }
}

/// `--log-level`.
enum LogLevelArgument: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}

/// The files `serve --dev` serves with, in a fresh private temporary directory.
enum DevelopmentCertificates {
    static func write() throws -> (authority: String, certificate: String, key: String) {
        let authority = try CertificateAuthority(commonName: "identity-guard dev CA")
        let issued = try authority.issue(commonName: "localhost", dnsNames: ["localhost"],
                                         ipAddresses: ["127.0.0.1", "::1"])
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("identity-guard-dev-XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard let directory = mkdtemp(&buffer) else {
            throw ValidationError("cannot create a temporary directory for the development certificates")
        }
        let path = String(cString: directory)
        let files = (authority: path + "/ca.crt", certificate: path + "/tls.crt", key: path + "/tls.key")
        try Data(authority.certificatePEM.utf8).write(to: URL(fileURLWithPath: files.authority))
        try Data(issued.certificatePEM.utf8).write(to: URL(fileURLWithPath: files.certificate))
        guard FileManager.default.createFile(atPath: files.key, contents: Data(issued.privateKeyPEM.utf8),
                                             attributes: [.posixPermissions: 0o600])
        else { throw ValidationError("cannot write the development key to \(files.key)") }
        return files
    }
}
