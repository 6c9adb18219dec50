public import Admission
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
public import Logging
import NIOCore
import NIOHTTPTypes
import NIOSSL
public import ServiceLifecycle
import UnixSignals
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The HTTPS admission webhook: `/validate`, `/mutate`, `/healthz`, `/readyz`, `/metrics` over TLS (HTTP/1.1,
/// and HTTP/2 through ALPN when asked), with probes and metrics also on a plain-HTTP port.
///
/// It is a set of swift-service-lifecycle services — the certificate reloader, the webhook listener (SwiftNIO's
/// HTTP/1.1 pipeline and ``HTTP1AdmissionHandler``; Hummingbird when HTTP/2 is on) and a Hummingbird
/// application for the metrics port — which the caller runs in a `ServiceGroup`; on graceful shutdown
/// (SIGTERM) the listeners stop accepting, finish the requests in flight, and return.
public struct WebhookServer: Sendable {
    /// Which listener a port belongs to.
    public enum Listener: String, Sendable {
        case webhook
        case metrics
    }

    public let configuration: WebhookServerConfiguration
    /// What answers `/validate` and `/mutate`.
    public let responder: any AdmissionResponder
    public let metrics: AdmissionMetrics
    public let readiness: ReadinessState
    public let certificates: CertificateReloader
    private let connectionLimit: ConnectionLimit
    private let connectionLog: ConnectionEventLog
    private let intake: AdmissionIntake
    private let logger: Logger

    /// Loads the certificate pair (throws when it is unusable: the server must not start without one).
    ///
    /// - Parameter responder: answers `/validate` and `/mutate`; nil serves `handler` (evaluation, one log
    ///   line and metrics per request).
    public init(
        configuration: WebhookServerConfiguration,
        handler: AdmissionHandler,
        responder: (any AdmissionResponder)? = nil,
        metrics: AdmissionMetrics = AdmissionMetrics(),
        readiness: ReadinessState = ReadinessState(),
        logger: Logger
    ) throws(ServingCertificateError) {
        self.configuration = configuration
        intake = AdmissionIntake(metrics: metrics, logger: logger, maxBodyBytes: configuration.maxBodyBytes)
        self.responder = responder ?? AdmissionEndpoint(handler: handler, metrics: metrics, intake: intake)
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
        connectionLog = ConnectionEventLog(logger: logger, factory: metrics.factory)
        connectionLimit = ConnectionLimit(maximum: configuration.maxConnections, factory: metrics.factory,
                                          log: connectionLog)
        certificates = try CertificateReloader(
            certificateFile: configuration.certificateFile,
            privateKeyFile: configuration.privateKeyFile,
            pollInterval: configuration.certificatePollInterval,
            logger: logger,
            onChange: { pair in metrics.certificateLoaded(expiresAt: pair.notValidAfter.timeIntervalSince1970) }
        )
        readiness.set("certificate", ready: true)
    }

    /// The server's services, apart, so that whoever runs them decides their order: the certificate reloader, the
    /// webhook listener and, with a metrics port, the probes listener.
    public struct Listeners: Sendable {
        public let certificates: any Service
        public let webhook: any Service
        public let probes: (any Service)?
    }

    /// The services to run, each on its own (see ``services(onListening:)`` for what they are).
    public func listeners(
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) throws -> Listeners {
        let all = try services(onListening: onListening)
        return Listeners(certificates: all[0], webhook: all[1], probes: all.count > 2 ? all[2] : nil)
    }

    /// The services to run: certificate reloader, the webhook listener (the lean HTTP/1.1 responder, or
    /// Hummingbird when HTTP/2 is on), and the metrics application if a metrics port is set. `onListening` is
    /// told each bound port (useful with port 0).
    public func services(
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) throws -> [any Service] {
        var services: [any Service] = [certificates]
        if configuration.http2 {
            services.append(Application(
                responder: HummingbirdEndpointResponder(endpoints: endpoints(admission: true)),
                server: try makeHTTP2ServerBuilder(),
                configuration: ApplicationConfiguration(
                    address: .hostname(configuration.address, port: configuration.port), serverName: nil),
                onServerRunning: { channel in await onListening(.webhook, channel.localAddress?.port ?? 0) },
                logger: logger
            ))
        } else {
            services.append(HTTP1WebhookListener(
                host: configuration.address,
                port: configuration.port,
                threads: configuration.eventLoopThreads ?? ProcessorAffinity.usableCPUCount,
                tls: try NIOSSLContext(configuration: makeTLSConfiguration()),
                endpoints: endpoints(admission: true),
                connectionLimit: connectionLimit,
                connectionLog: connectionLog,
                idleTimeout: TimeAmount(configuration.idleTimeout),
                readTimeout: TimeAmount(configuration.readTimeout),
                onListening: { port in await onListening(.webhook, port) }
            ))
        }
        if let metricsPort = configuration.metricsPort {
            let probes = Application(
                responder: HummingbirdEndpointResponder(endpoints: endpoints(admission: false)),
                server: .http1(configuration: HTTP1Channel.Configuration(idleTimeout: .seconds(60))),
                configuration: ApplicationConfiguration(address: .hostname(configuration.address, port: metricsPort),
                                                        serverName: nil),
                onServerRunning: { channel in await onListening(.metrics, channel.localAddress?.port ?? 0) },
                logger: logger
            )
            services.append(probes)
        }
        return services
    }

    // MARK: - Assembly

    func makeTLSConfiguration() throws -> TLSConfiguration {
        let pair = certificates.certificate
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: pair.chain.map { .certificate($0) },
            privateKey: .privateKey(pair.privateKey)
        )
        tls.minimumTLSVersion = .tlsv12
        // Do not hold a closing connection (and graceful shutdown) for clients that never send close_notify.
        tls.shutdownTimeout = .seconds(1)
        tls.sslContextCallback = certificates.contextCallback
        if let clientCAFile = configuration.clientCAFile {
            let authorities: [NIOSSLCertificate]
            do {
                authorities = try NIOSSLCertificate.fromPEMFile(clientCAFile)
            } catch {
                throw ServingCertificateError(.unreadable, "cannot read the client CA file \(clientCAFile): \(error)")
            }
            guard !authorities.isEmpty else {
                throw ServingCertificateError(.invalidCertificate, "the client CA file \(clientCAFile) holds no certificate")
            }
            tls.trustRoots = .certificates(authorities)
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }

    /// HTTP/2 through ALPN, with HTTP/1.1 for clients that do not offer it: Hummingbird's channels, with the
    /// same connection cap, error log and read timeout as the lean listener.
    func makeHTTP2ServerBuilder() throws -> HTTPServerBuilder {
        let connectionLog = connectionLog
        let readTimeout = TimeAmount(configuration.readTimeout)
        let limit = connectionLimit
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                limit.handler(), ConnectionErrorLogger(log: connectionLog),
                ReadTimeoutHandler<HTTPRequestPart>(timeout: readTimeout, log: connectionLog),
            ],
            idleTimeout: TimeAmount(configuration.idleTimeout)
        )
        return try .http2Upgrade(
            tlsConfiguration: try makeTLSConfiguration(),
            configuration: HTTP2UpgradeChannel.Configuration(
                idleTimeout: configuration.idleTimeout,
                streamConfiguration: http1
            )
        )
    }

    /// What a port answers; admission only on the TLS port.
    func endpoints(admission: Bool) -> WebhookEndpoints {
        WebhookEndpoints(responder: admission ? responder : nil, intake: intake, readiness: readiness,
                         metrics: metrics)
    }
}
