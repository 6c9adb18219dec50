import KubeJSON
import Admission
import AsyncHTTPClient
import Foundation
import IdentityRules
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle
import Testing
import WebhookServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real webhook server on ephemeral ports, run in a `ServiceGroup`, with an HTTP client that trusts it.
package final class RunningServer: Sendable {
    package let server: WebhookServer
    package let pki: TestPKI
    package let logs: LogCapture
    package let webhookPort: Int
    package let metricsPort: Int?
    /// Trusts the test CA; presents no client certificate.
    package let client: HTTPClient
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let finished: NIOLockedValueBox<Bool>
    private let stopped = NIOLockedValueBox(false)

    package var baseURL: String { "https://127.0.0.1:\(webhookPort)" }
    package var metricsURL: String? { metricsPort.map { "http://127.0.0.1:\($0)" } }

    /// The current value of a metric `series` (`name` or `name{label="value",…}`), read from the server's registry.
    package func metric(_ series: String) -> Double? {
        PrometheusText(String(decoding: server.metrics.render(), as: UTF8.self)).value(series)
    }

    /// Admissions answered so far, all series of `identity_guard_admission_requests_total` added up.
    package var requestCount: Int {
        String(decoding: server.metrics.render(), as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("identity_guard_admission_requests_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0) { $0 + Int($1) }
    }

    private init(server: WebhookServer, pki: TestPKI, logs: LogCapture, webhookPort: Int, metricsPort: Int?,
                 client: HTTPClient, group: ServiceGroup, task: Task<Void, any Error>,
                 finished: NIOLockedValueBox<Bool>)
    {
        self.finished = finished
        self.server = server
        self.pki = pki
        self.logs = logs
        self.webhookPort = webhookPort
        self.metricsPort = metricsPort
        self.client = client
        self.group = group
        self.task = task
    }

    /// The test defaults: loopback, ephemeral ports, no metrics port, short timeouts, fast certificate polling.
    package static func configuration(certificateFile: String, privateKeyFile: String) -> WebhookServerConfiguration {
        var configuration = WebhookServerConfiguration(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        configuration.address = "127.0.0.1"
        configuration.port = 0
        configuration.metricsPort = nil
        configuration.readTimeout = .seconds(5)
        configuration.idleTimeout = .seconds(30)
        configuration.certificatePollInterval = .milliseconds(200)
        return configuration
    }

    /// Starts a server serving a fresh pair issued by `pki` (or the files given), waits until it listens.
    package static func start(
        pki: TestPKI,
        certificateFile: String? = nil,
        privateKeyFile: String? = nil,
        clientCertificate: CertificateAuthority.Issued? = nil,
        handler: ReviewCodec = ReviewCodec(),
        readiness: ReadinessState = ReadinessState(),
        configure: (inout WebhookServerConfiguration) -> Void = { _ in }
    ) async throws -> RunningServer {
        var files = (certificate: certificateFile ?? "", key: privateKeyFile ?? "")
        if certificateFile == nil || privateKeyFile == nil {
            files = try pki.install(try pki.issueServer("identity-guard-test-server"))
        }
        var configuration = Self.configuration(certificateFile: files.certificate, privateKeyFile: files.key)
        configure(&configuration)
        let logs = LogCapture()
        let server = try WebhookServer(configuration: configuration, codec: handler, readiness: readiness,
                                       logger: logs.logger)
        let ports = NIOLockedValueBox<[WebhookServer.Listener: Int]>([:])
        let services = try server.services { listener, port in ports.withLockedValue { $0[listener] = port } }
        let group = ServiceGroup(configuration: .init(services: services, logger: quietLogger))
        let failure = NIOLockedValueBox<(any Error)?>(nil)
        let finished = NIOLockedValueBox(false)
        let task = Task {
            defer { finished.withLockedValue { $0 = true } }
            do {
                try await group.run()
            } catch {
                failure.withLockedValue { $0 = error }
                throw error
            }
        }
        let wantsMetrics = configuration.metricsPort != nil
        let listening = await eventually(within: .seconds(30)) {
            let bound = ports.withLockedValue { $0 }
            let complete = bound[.webhook] != nil && (!wantsMetrics || bound[.metrics] != nil)
            return finished.withLockedValue { $0 } || complete
        }
        let bound = ports.withLockedValue { $0 }
        guard listening, let webhookPort = bound[.webhook], !finished.withLockedValue({ $0 }) else {
            await group.triggerGracefulShutdown()
            task.cancel()
            _ = try? await task.value
            let reason = failure.withLockedValue { $0 }.map { "\($0)" } ?? "timeout"
            throw TestFailure("the server did not start listening: \(reason)")
        }
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: try clientConfiguration(trusting: pki, clientCertificate: clientCertificate)
        )
        return RunningServer(server: server, pki: pki, logs: logs, webhookPort: webhookPort,
                             metricsPort: bound[.metrics], client: client, group: group, task: task,
                             finished: finished)
    }

    /// Starts a server, runs `body`, and stops the server (and its client) whatever happens.
    package static func with<T>(
        pki: TestPKI,
        certificateFile: String? = nil,
        privateKeyFile: String? = nil,
        clientCertificate: CertificateAuthority.Issued? = nil,
        configure: (inout WebhookServerConfiguration) -> Void = { _ in },
        _ body: (RunningServer) async throws -> T
    ) async throws -> T {
        let server = try await start(pki: pki, certificateFile: certificateFile, privateKeyFile: privateKeyFile,
                                     clientCertificate: clientCertificate, configure: configure)
        let result: T
        do {
            result = try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
        return result
    }

    /// Starts graceful shutdown without waiting for it.
    package func triggerGracefulShutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// Waits for the service group's `run` to return (after graceful shutdown); throws what it threw, or a
    /// timeout after `timeout` (then cancels it).
    package func waitUntilStopped(timeout: Duration = .seconds(15)) async throws {
        let finished = finished
        let done = await eventually(within: timeout) { finished.withLockedValue { $0 } }
        guard done else {
            task.cancel()
            _ = try? await task.value
            throw TestFailure("the service group did not return within \(timeout) of graceful shutdown")
        }
        try await task.value
    }

    /// Shuts the client down, shuts the server down gracefully and waits for it. Idempotent.
    package func stop() async throws {
        let first = stopped.withLockedValue { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        // The client first: it closes its keep-alive connections, which the server then closes at once. (Closed by
        // the server first, an AsyncHTTPClient connection never answers the TLS close_notify, and each waits for
        // NIOSSL's 5 s shutdown timeout.)
        var clientError: (any Error)?
        do { try await client.shutdown() } catch { clientError = error }
        await group.triggerGracefulShutdown()
        try await waitUntilStopped()
        if let clientError { throw clientError }
    }

    // MARK: Requests

    package func send(_ path: String, method: HTTPMethod = .POST, body: [UInt8]? = nil,
              contentType: String? = "application/json", client: HTTPClient? = nil) async throws -> Reply
    {
        try await IdentityGuardTesting.send(client ?? self.client, baseURL + path, method: method, body: body,
                                          contentType: contentType)
    }

    /// POSTs an AdmissionReview and returns the parsed answer, requiring HTTP 200 with a JSON content type.
    package func review(_ path: String, _ body: [UInt8], client: HTTPClient? = nil) async throws -> JSONValue {
        let reply = try await send(path, body: body, client: client)
        #expect(reply.status == .ok, "\(path): \(reply.text)")
        #expect(reply.headers["Content-Type"] == ["application/json"])
        return try reply.json
    }

    /// The certificate a fresh TLS handshake presents.
    package func presentedCertificate() async throws -> [UInt8] {
        let connection = try await RawConnection.connect(port: webhookPort, tls: try rawClientTLS())
        defer { connection.close() }
        guard let certificate = try await connection.channel.nioSSL_peerCertificate().get() else {
            throw TestFailure("the handshake presented no certificate")
        }
        return try certificate.toDERBytes()
    }

    /// A TLS client configuration for raw connections, trusting the test CA.
    package func rawClientTLS() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try pki.caCertificate])
        return tls
    }
}
