public import Admission
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import HTTPTypes
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
/// It is a set of swift-service-lifecycle services — the certificate reloader and one Hummingbird application
/// per port — which the caller runs in a `ServiceGroup`; on graceful shutdown (SIGTERM) the applications stop
/// accepting, finish the requests in flight, and return.
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
    private let logger: Logger

    /// Loads the certificate pair (throws when it is unusable: the server must not start without one).
    ///
    /// - Parameter responder: answers `/validate` and `/mutate`; nil serves `handler` through the admission
    ///   transport (content type, body limit, one log line and metrics per request).
    public init(
        configuration: WebhookServerConfiguration,
        handler: AdmissionHandler,
        responder: (any AdmissionResponder)? = nil,
        metrics: AdmissionMetrics = AdmissionMetrics(),
        readiness: ReadinessState = ReadinessState(),
        logger: Logger
    ) throws(ServingCertificateError) {
        self.configuration = configuration
        self.responder = responder ?? AdmissionEndpoint(handler: handler, metrics: metrics, logger: logger,
                                                        maxBodyBytes: configuration.maxBodyBytes)
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
        connectionLimit = ConnectionLimit(maximum: configuration.maxConnections, factory: metrics.factory,
                                          logger: logger)
        certificates = try CertificateReloader(
            certificateFile: configuration.certificateFile,
            privateKeyFile: configuration.privateKeyFile,
            pollInterval: configuration.certificatePollInterval,
            logger: logger,
            onChange: { pair in metrics.certificateLoaded(expiresAt: pair.notValidAfter.timeIntervalSince1970) }
        )
        readiness.set("certificate", ready: true)
    }

    /// The services to run: certificate reloader, webhook application, and the metrics application if a
    /// metrics port is set. `onListening` is told each bound port (useful with port 0).
    public func services(
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) throws -> [any Service] {
        var services: [any Service] = [certificates]
        let webhook = Application(
            router: makeRouter(admission: true),
            server: try makeServerBuilder(),
            configuration: ApplicationConfiguration(address: .hostname(configuration.address, port: configuration.port),
                                                    serverName: nil),
            onServerRunning: { channel in await onListening(.webhook, channel.localAddress?.port ?? 0) },
            logger: logger
        )
        services.append(webhook)
        if let metricsPort = configuration.metricsPort {
            let probes = Application(
                router: makeRouter(admission: false),
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

    func makeServerBuilder() throws -> HTTPServerBuilder {
        let logger = logger
        let readTimeout = TimeAmount(configuration.readTimeout)
        let idle = TimeAmount(configuration.idleTimeout)
        let limit = connectionLimit
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                limit.handler(), ConnectionErrorLogger(logger: logger),
                ReadTimeoutHandler(timeout: readTimeout, logger: logger),
            ],
            idleTimeout: idle
        )
        let tls = try makeTLSConfiguration()
        if configuration.http2 {
            return try .http2Upgrade(
                tlsConfiguration: tls,
                configuration: HTTP2UpgradeChannel.Configuration(
                    idleTimeout: configuration.idleTimeout,
                    streamConfiguration: http1
                )
            )
        }
        return try .tls(.http1(configuration: http1), tlsConfiguration: tls)
    }

    func makeRouter(admission: Bool) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        if admission {
            let responder = responder
            for webhook in WebhookType.allCases {
                router.post(RouterPath(webhook.endpoint)) { request, _ in
                    await responder.respond(to: request, webhook: webhook)
                }
            }
        }
        let readiness = readiness
        let metrics = metrics
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, _ in
            let unmet = readiness.unmet
            if unmet.isEmpty {
                return Response(status: .ok, headers: [.contentType: "text/plain"],
                                body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
            }
            return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain"],
                            body: .init(byteBuffer: ByteBuffer(string: "not ready: \(unmet.joined(separator: ", "))\n")))
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        return router
    }
}
