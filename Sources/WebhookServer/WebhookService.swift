import Admission
public import ClusterAudit
public import ClusterCache
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import IdentityRules
public import Logging
public import ServiceLifecycle
import UnixSignals

/// The whole `identity-guard serve`, assembled: certificates, the rule engine and reviewer, the Users cache,
/// metrics, readiness and the HTTPS server, as one service group.
///
/// The set-up point the command line calls after parsing (controller-runtime's manager, in small): every part
/// is built here from ``Options``, and every way it can fail is a typed ``WebhookStartupError`` — a bad
/// certificate or kubeconfig is not a usage error.
public struct WebhookService: Sendable {
    /// Everything the service is built from.
    public struct Options: Sendable {
        /// The server's settings; with ``developmentCertificates`` its certificate files are replaced.
        public var server: WebhookServerConfiguration
        /// Make a throwaway CA and certificate for localhost (`serve --dev`).
        public var developmentCertificates = false
        public var rules = RuleConfiguration.defaults
        public var cluster = ClusterSource.automatic
        /// How long an allowed email stays reserved while the watch has not shown it.
        public var reservationTTL: Duration = .seconds(30)
        /// Where new emails are decided: Leases in the apiserver (exact across replicas; the default with a
        /// cluster) or this replica's reservations only.
        public var claims: EmailClaimsMode = .automatic
        /// Audit what the cache holds every so often (`--audit-interval`); nil: no periodic audit. Needs a cluster.
        public var auditInterval: Duration?
        /// The release, for the start-up log.
        public var version = ""

        public init(server: WebhookServerConfiguration) {
            self.server = server
        }
    }

    public let server: WebhookServer
    public let cache: UsersCache
    /// The Lease claims, when emails are decided by the apiserver.
    public let leaseClaims: LeaseEmailClaims?
    /// The periodic audit and the Identities it reads, with `--audit-interval`.
    public let audit: PeriodicAudit?
    private let identities: ObjectMirror?
    public let metrics: AdmissionMetrics
    public let readiness: ReadinessState
    /// With ``Options/developmentCertificates``: the files it wrote (the CA is for clients).
    public let developmentCertificates: DevelopmentCertificates?
    /// How the start-up log describes where Users come from.
    public let clusterDescription: String
    private let version: String
    private let logger: Logger

    public init(options: Options, logger: Logger) throws(WebhookStartupError) {
        let cluster = try options.cluster.resolve()
        var configuration = options.server
        var development: DevelopmentCertificates?
        if options.developmentCertificates {
            let files = try DevelopmentCertificates.write()
            configuration.certificateFile = files.certificateFile
            configuration.privateKeyFile = files.privateKeyFile
            development = files
        }
        let metrics = AdmissionMetrics()
        let readiness = ReadinessState()
        let index = ClusterEmailIndex(reservationTTL: options.reservationTTL)
        var client: KubernetesClient?
        if let credentials = cluster.credentials {
            do {
                client = try KubernetesClient(credentials: credentials)
            } catch {
                throw WebhookStartupError(.clusterCredentials, error.description)
            }
        }
        var leaseClaims: LeaseEmailClaims?
        switch (options.claims, client) {
        case (.lease(let namespace), nil):
            throw WebhookStartupError(.clusterCredentials, "--claims lease needs a cluster (--kubeconfig or "
                + "--in-cluster); use --claims local without one (namespace \(namespace ?? "default"))")
        case (.lease(let namespace), let client?), (.automatic(let namespace), let client?):
            leaseClaims = LeaseEmailClaims(
                client: client, namespace: namespace ?? ClusterSource.podNamespace() ?? "identity-guard",
                index: index, duration: options.reservationTTL, metrics: ClaimMetrics(factory: metrics.factory),
                logger: logger)
        case (.local, _), (.automatic, nil):
            break
        }
        // With Leases the apiserver decides every new email, and the losers of a race name its winner; this
        // replica's own reservations would name a local request that may still lose, so they are off then.
        let reviewer = AdmissionReviewer(engine: RuleEngine(configuration: options.rules), emailIndex: index,
                                         emailClaims: leaseClaims ?? index as any EmailClaims)
        do {
            server = try WebhookServer(configuration: configuration, handler: AdmissionHandler(reviewer: reviewer),
                                       metrics: metrics, readiness: readiness, logger: logger)
        } catch {
            throw WebhookStartupError(.certificate, error.description)
        }
        if client != nil { readiness.set("cluster-cache", ready: false) }
        var userObjects: ObjectStore?
        var audit: PeriodicAudit?
        var identities: ObjectMirror?
        if let interval = options.auditInterval {
            guard let client else {
                throw WebhookStartupError(.clusterCredentials, "--audit-interval needs a cluster (--kubeconfig or "
                    + "--in-cluster)")
            }
            let users = ObjectStore()
            let mirror = ObjectMirror(client: client, kind: .identity, logger: logger)
            userObjects = users
            identities = mirror
            audit = PeriodicAudit(interval: interval, users: users, identities: mirror.store,
                                  auditor: ClusterAuditor(configuration: options.rules), factory: metrics.factory,
                                  logger: logger, isReady: { readiness.isReady })
        }
        self.audit = audit
        self.identities = identities
        cache = UsersCache(client: client, index: index, metrics: CacheMetrics(factory: metrics.factory),
                           objects: userObjects, logger: logger) { users, first in
            guard first else { return }
            readiness.set("cluster-cache", ready: true)
            logger.info("cluster cache synced; ready", metadata: ["users": "\(users)"])
        }
        self.leaseClaims = leaseClaims
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
        version = options.version
        developmentCertificates = development
        clusterDescription = cluster.description
    }

    /// The services to run together: the server's (certificate reloader, listeners) and the Users cache.
    public func services(
        onListening: @escaping @Sendable (WebhookServer.Listener, Int) async -> Void = { _, _ in }
    ) throws(WebhookStartupError) -> [any Service] {
        do {
            let optional: [(any Service)?] = [leaseClaims, identities, audit]
            return try server.services(onListening: onListening) + [cache] + optional.compactMap { $0 }
        } catch {
            throw WebhookStartupError(.server, "cannot set up the HTTPS server: \(error)")
        }
    }

    /// Runs every service until SIGTERM or SIGINT, then shuts down gracefully.
    public func run() async throws {
        logger.info("starting identity-guard", metadata: [
            "version": "\(version)",
            "certificate": "\(server.certificates.certificate.subject)",
            "cluster": "\(clusterDescription)",
            "email_claims": "\(leaseClaims.map { "lease in namespace \($0.namespace)" } ?? "local reservations")",
            "http2": "\(server.configuration.http2)", "mtls": "\(server.configuration.clientCAFile != nil)",
        ])
        let logger = logger
        let services = try services { listener, port in
            logger.info("listening", metadata: ["listener": "\(listener.rawValue)", "port": "\(port)"])
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
        logger.info("stopped")
    }
}
