public import Admission
import CoreMetrics
public import Logging
import NIOCore
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
/// It is a set of swift-service-lifecycle services — the certificate reloader, the webhook listener and the
/// metrics listener, both `HTTPListener`s: one SwiftNIO stack, with the same safeguards, whose
/// ``HTTPRequestHandler`` answers HTTP/1.1 and each HTTP/2 stream — which the caller runs in a
/// `ServiceGroup`; on graceful shutdown (SIGTERM) the listeners stop accepting, finish the requests in flight
/// (HTTP/2 connections get GOAWAY), and return.
public struct WebhookServer: Sendable {
    /// Which listener a port belongs to.
    public enum Listener: String, Sendable {
        case webhook
        case metrics
    }

    public let configuration: WebhookServerConfiguration
    /// What answers `/validate` and `/mutate`.
    public let endpoint: any AdmissionEndpoint
    public let metrics: AdmissionMetrics
    public let readiness: ReadinessState
    public let certificates: CertificateReloader
    private let connectionLimit: ConnectionLimit
    /// The metrics port's own cap, so that a flood on the webhook port cannot lock out the kubelet's probes.
    private let metricsConnectionLimit: ConnectionLimit
    private let connectionLog: ConnectionEventLog
    private let checks: RequestChecks
    private let logger: Logger

    /// Loads the certificate pair (throws when it is unusable: the server must not start without one).
    ///
    /// - Parameters:
    ///   - codec: stages 3 and 4 of the request path, what the production endpoint reviews with.
    ///   - endpoint: answers `/validate` and `/mutate`; nil serves ``ReviewingEndpoint`` over `codec`
    ///     (evaluation, one log line and metrics per request).
    public init(
        configuration: WebhookServerConfiguration,
        codec: ReviewCodec,
        endpoint: (any AdmissionEndpoint)? = nil,
        metrics: AdmissionMetrics = AdmissionMetrics(),
        readiness: ReadinessState = ReadinessState(),
        logger: Logger
    ) throws(ServingCertificateError) {
        self.configuration = configuration
        checks = RequestChecks(metrics: metrics, logger: logger, maxBodyBytes: configuration.maxBodyBytes)
        self.endpoint = endpoint ?? ReviewingEndpoint(codec: codec, metrics: metrics, checks: checks)
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
        connectionLog = ConnectionEventLog(logger: logger, factory: metrics.factory)
        connectionLimit = ConnectionLimit(maximum: configuration.maxConnections, factory: metrics.factory,
                                          log: connectionLog)
        // Not exported: identity_guard_open_connections and its refusals are the webhook port's.
        metricsConnectionLimit = ConnectionLimit(maximum: configuration.maxConnections,
                                                 factory: NOOPMetricsHandler.instance, log: connectionLog)
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

    /// The services to run, each on its own: the certificate reloader, the webhook listener (TLS; HTTP/1.1, and
    /// HTTP/2 through ALPN when configured), and the metrics listener (plain HTTP/1.1, probes and metrics only) if
    /// a metrics port is set. `onListening` is told each bound port (useful with port 0).
    public func listeners(
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) throws -> Listeners {
        let webhook = HTTPListener(
            host: configuration.address,
            port: configuration.port,
            threads: configuration.eventLoopThreads ?? ProcessorAffinity.usableCPUCount,
            tls: try NIOSSLContext(configuration: makeTLSConfiguration()),
            http2: configuration.http2,
            routes: routes(admission: true),
            connectionLimit: connectionLimit,
            connectionLog: connectionLog,
            idleTimeout: TimeAmount(configuration.idleTimeout),
            readTimeout: TimeAmount(configuration.readTimeout),
            onListening: { port in await onListening(.webhook, port) }
        )
        let probes = configuration.metricsPort.map { metricsPort in
            HTTPListener(
                host: configuration.address,
                port: metricsPort,
                threads: 1,
                tls: nil,
                http2: false,
                routes: routes(admission: false),
                connectionLimit: metricsConnectionLimit,
                connectionLog: connectionLog,
                idleTimeout: TimeAmount(configuration.idleTimeout),
                readTimeout: TimeAmount(configuration.readTimeout),
                onListening: { port in await onListening(.metrics, port) }
            )
        }
        return Listeners(certificates: certificates, webhook: webhook, probes: probes)
    }

    /// ``listeners(onListening:)`` in start order, for a caller that runs the server alone: on graceful shutdown
    /// the probes port stops first, then the webhook port, then the certificate reloader.
    public func services(
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) throws -> [any Service] {
        let listeners = try listeners(onListening: onListening)
        return [listeners.certificates, listeners.webhook] + [listeners.probes].compactMap { $0 }
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
        if configuration.http2 {
            // Clients that offer neither (or only http/1.1) get HTTP/1.1.
            tls.applicationProtocols = ["h2", "http/1.1"]
        }
        if let clientCAFile = configuration.clientCAFile {
            let authorities: [NIOSSLCertificate]
            do {
                authorities = try NIOSSLCertificate.fromPEMFile(clientCAFile)
            } catch {
                throw ServingCertificateError(.unreadable, "cannot read the client CA file \(clientCAFile): \(error)")
            }
            guard !authorities.isEmpty else {
                throw ServingCertificateError(.invalidCertificate,
                                              "the client CA file \(clientCAFile) holds no certificate")
            }
            tls.trustRoots = .certificates(authorities)
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }

    /// What a port answers; admission only on the TLS port.
    func routes(admission: Bool) -> RouteTable {
        RouteTable(endpoint: admission ? endpoint : nil, checks: checks, readiness: readiness,
                         metrics: metrics)
    }
}
