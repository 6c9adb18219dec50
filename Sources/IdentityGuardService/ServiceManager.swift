import Admission
public import ClusterAudit
public import ClusterCache
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IdentityRules
public import Logging
public import ServiceLifecycle
import UnixSignals
public import WebhookServer

/// The whole `identity-guard serve`, assembled and run: the one place that builds its object graph.
///
/// controller-runtime's manager, in small. Every part is built here from ``Options`` — certificates, the rule
/// engine and reviewer, the apiserver client, the Users cache, the email claims, the Identity mirror, the
/// periodic audit, metrics, readiness and the HTTPS transport — and every way that can fail is a typed
/// ``StartupError`` (a bad certificate or kubeconfig is not a usage error). It owns the shared resources (the
/// apiserver client and the metrics registry): no component closes what another still uses. And it alone
/// decides the order things start and stop in (``ServiceStage``), so that order is a stated property of the
/// manager rather than of the order someone listed services in.
public struct ServiceManager: Sendable {
    public let server: WebhookServer
    public let cache: UsersCache
    /// The Lease claims, when emails are decided by the apiserver, and the check that they can be made.
    public let leaseClaims: LeaseEmailClaims?
    private let claimsReadiness: ClaimsReadiness?
    /// The periodic audit and the Identities it reads, with `--audit-interval`.
    public let audit: PeriodicAudit?
    /// The apiserver client every cluster component shares; closed once all of them have stopped.
    private let client: KubernetesClient?
    public let metrics: AdmissionMetrics
    public let readiness: ReadinessState
    /// With ``Options/developmentCertificates``: the files it wrote (the CA is for clients).
    public let developmentCertificates: DevelopmentCertificates?
    /// How the start-up log describes where Users come from.
    public let clusterDescription: String
    private let shutdownDelay: Duration
    private let version: String
    private let logger: Logger

    public init(options: Options, logger: Logger) throws(StartupError) {
        let cluster: (credentials: KubernetesCredentials?, description: String)
        do {
            cluster = try options.cluster.resolve()
        } catch {
            throw StartupError(.clusterCredentials, error.description)
        }
        var configuration = options.server
        var development: DevelopmentCertificates?
        if options.developmentCertificates {
            let files = try DevelopmentCertificates.write()
            configuration.certificateFile = files.certificateFile
            configuration.privateKeyFile = files.privateKeyFile
            development = files
        }
        let metrics = AdmissionMetrics(latencyHistograms: [ClaimMetrics.durationLabel])
        let readiness = ReadinessState()
        let index = ClusterEmailIndex(reservationTTL: options.reservationTTL)
        let client: KubernetesClient?
        do {
            client = try cluster.credentials.map { credentials throws(KubernetesError) in
                try KubernetesClient(credentials: credentials)
            }
        } catch {
            throw StartupError(.clusterCredentials, error.description)
        }
        let leaseClaims = try Self.leaseClaims(options.claims, client: client, index: index,
                                               duration: options.reservationTTL, metrics: metrics, logger: logger)
        // With Leases the apiserver decides every new email, and the losers of a race name its winner; this
        // replica's own reservations would name a local request that may still lose, so they are off then.
        let reviewer = AdmissionReviewer(engine: RuleEngine(configuration: options.rules), emailIndex: index,
                                         emailClaims: leaseClaims ?? index as any EmailClaims)
        do {
            server = try WebhookServer(configuration: configuration, codec: ReviewCodec(reviewer: reviewer),
                                       metrics: metrics, readiness: readiness, logger: logger)
        } catch {
            client?.shutdownWithoutWaiting()
            throw StartupError(.certificate, error.description)
        }
        if client != nil { readiness.set(Self.cacheCondition, ready: false, reason: "first list not in yet") }
        if let client, let leaseClaims {
            claimsReadiness = ClaimsReadiness(
                probe: LeaseAccessProbe(client: client, namespace: leaseClaims.namespace), readiness: readiness,
                factory: metrics.factory, logger: logger)
        } else {
            claimsReadiness = nil
        }
        if let interval = options.auditInterval {
            guard let client else {
                throw StartupError(.clusterCredentials, "--audit-interval needs a cluster (--kubeconfig or "
                    + "--in-cluster)")
            }
            audit = PeriodicAudit(interval: interval, client: client,
                                  auditor: ClusterAuditor(configuration: options.rules), factory: metrics.factory,
                                  logger: logger,
                                  // What the audit reads is the cache's: it needs the first list, not claims or
                                  // a process that is not shutting down.
                                  isReady: { !readiness.unmet.contains(Self.cacheCondition) })
        } else {
            audit = nil
        }
        cache = UsersCache(client: client, index: index, metrics: CacheMetrics(factory: metrics.factory),
                           logger: logger) { users, first in
            guard first else { return }
            readiness.set(Self.cacheCondition, ready: true)
            logger.info("cluster cache synced; ready", metadata: ["users": "\(users)"])
        }
        self.client = client
        self.leaseClaims = leaseClaims
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
        shutdownDelay = options.shutdownDelay
        version = options.version
        developmentCertificates = development
        clusterDescription = cluster.description
    }

    /// The readiness condition of the Users cache's first list.
    static let cacheCondition = "cluster-cache"

    private static func leaseClaims(
        _ mode: EmailClaimsMode, client: KubernetesClient?, index: ClusterEmailIndex, duration: Duration,
        metrics: AdmissionMetrics, logger: Logger
    ) throws(StartupError) -> LeaseEmailClaims? {
        switch (mode, client) {
        case (.lease(let namespace), nil):
            throw StartupError(.clusterCredentials, "--claims lease needs a cluster (--kubeconfig or "
                + "--in-cluster); use --claims local without one (namespace \(namespace ?? "default"))")
        case (.lease(let namespace), let client?), (.automatic(let namespace), let client?):
            return LeaseEmailClaims(
                client: client, namespace: namespace ?? ClusterSource.podNamespace() ?? "identity-guard",
                index: index, duration: duration, metrics: ClaimMetrics(factory: metrics.factory), logger: logger)
        case (.local, _), (.automatic, nil):
            return nil
        }
    }

    /// Every service of `serve` in start order; they stop in the reverse order (see ``ServiceStage``).
    /// `onListening` is told each bound port (useful with port 0).
    public func stages(
        onListening: @escaping @Sendable (WebhookServer.Listener, Int) async -> Void = { _, _ in }
    ) throws(StartupError) -> [(stage: ServiceStage, service: any Service)] {
        let listeners: WebhookServer.Listeners
        do {
            listeners = try server.listeners(onListening: onListening)
        } catch {
            throw StartupError(.server, "cannot set up the HTTPS server: \(error)")
        }
        var stages: [(stage: ServiceStage, service: any Service)] = []
        if let probes = listeners.probes { stages.append((.probes, probes)) }
        stages.append((.certificates, listeners.certificates))
        if let client { stages.append((.apiserverClient, ClientLifetime(client: client))) }
        stages.append((.usersCache, cache))
        if let leaseClaims { stages.append((.emailClaims, leaseClaims)) }
        if let claimsReadiness { stages.append((.emailClaims, claimsReadiness)) }
        if let audit { stages.append((.audit, audit)) }
        stages.append((.webhook, listeners.webhook))
        stages.append((.drain, ShutdownDrain(delay: shutdownDelay, readiness: readiness, logger: logger)))
        return stages
    }

    /// Releases what the manager owns without running it (``run()`` does this itself on the way out): for a
    /// caller that built a manager and then decided not to run it.
    public func shutdown() async {
        await client?.shutdown()
    }

    /// Runs every service until SIGTERM or SIGINT, then shuts down in the order ``ServiceStage`` states and
    /// returns.
    public func run() async throws {
        logger.info("starting identity-guard", metadata: [
            "version": "\(version)",
            "certificate": "\(server.certificates.certificate.subject)",
            "cluster": "\(clusterDescription)",
            "email_claims": "\(leaseClaims.map { "lease in namespace \($0.namespace)" } ?? "local reservations")",
            "http2": "\(server.configuration.http2)", "mtls": "\(server.configuration.clientCAFile != nil)",
            "shutdown_delay": "\(shutdownDelay)",
        ])
        let logger = logger
        let stages: [(stage: ServiceStage, service: any Service)]
        do {
            stages = try self.stages { listener, port in
                logger.info("listening", metadata: ["listener": "\(listener.rawValue)", "port": "\(port)"])
            }
        } catch {
            await shutdown()
            throw error
        }
        let group = ServiceGroup(configuration: .init(
            services: stages.map { .init(service: $0.service) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
        logger.info("stopped")
    }
}
