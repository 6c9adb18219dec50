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

/// A failure of the test machinery itself (a timeout, a file that cannot be written).
struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

// MARK: - Certificates

/// A certificate authority made for one test, with its files in a private temporary directory.
struct TestPKI: Sendable {
    let directory: URL
    let authority: CertificateAuthority
    /// The CA certificate as PEM, in `directory`.
    let caFile: String

    init(caName: String = "identity-guard test CA") throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("identity-guard-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        authority = try CertificateAuthority(commonName: caName)
        caFile = directory.appendingPathComponent("ca.crt").path
        try Self.atomicWrite(authority.certificatePEM, to: caFile)
    }

    /// A serving certificate for `localhost` and `127.0.0.1`.
    func issueServer(_ commonName: String, validity: Duration = .seconds(86_400 * 30)) throws
        -> CertificateAuthority.Issued
    {
        try authority.issue(commonName: commonName, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"],
                            usage: .server, validity: validity)
    }

    /// A client certificate for mTLS.
    func issueClient(_ commonName: String) throws -> CertificateAuthority.Issued {
        try authority.issue(commonName: commonName, usage: .client)
    }

    /// The CA certificate, to trust.
    var caCertificate: NIOSSLCertificate {
        get throws { try NIOSSLCertificate(bytes: Array(authority.certificatePEM.utf8), format: .pem) }
    }

    /// Writes `pair` as `tls.crt` and `tls.key` in `subdirectory` of the PKI's directory (each file written to a
    /// temporary name and renamed over, as an atomic writer does) and returns the two paths.
    @discardableResult
    func install(_ pair: CertificateAuthority.Issued, in subdirectory: String = "serving") throws
        -> (certificate: String, key: String)
    {
        try install(certificatePEM: pair.certificatePEM, keyPEM: pair.privateKeyPEM, in: subdirectory)
    }

    @discardableResult
    func install(certificatePEM: String, keyPEM: String, in subdirectory: String = "serving") throws
        -> (certificate: String, key: String)
    {
        let folder = directory.appendingPathComponent(subdirectory, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = folder.appendingPathComponent("tls.crt").path
        let key = folder.appendingPathComponent("tls.key").path
        try Self.atomicWrite(certificatePEM, to: certificate)
        try Self.atomicWrite(keyPEM, to: key)
        return (certificate, key)
    }

    /// Writes `text` next to `path` and renames it over `path`.
    static func atomicWrite(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(UUID().uuidString)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        try rename(from: temporary, to: path)
    }

    /// POSIX `rename(2)`: atomically replaces `to` (a file or a symlink) by `from`.
    static func rename(from: String, to: String) throws {
        #if canImport(Glibc)
        let result = Glibc.rename(from, to)
        #else
        let result = Darwin.rename(from, to)
        #endif
        guard result == 0 else { throw TestFailure("rename \(from) → \(to) failed: errno \(errno)") }
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

extension CertificateAuthority.Issued {
    /// The certificate's DER bytes, to compare with what a handshake presented.
    var der: [UInt8] {
        get throws { try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem).toDERBytes() }
    }

    var nioCertificate: NIOSSLCertificate {
        get throws { try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem) }
    }

    var nioPrivateKey: NIOSSLPrivateKey {
        get throws { try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem) }
    }
}

// MARK: - Logs

/// Collects the server's log lines (JSON, one per event) in memory.
final class LogCapture: Sendable {
    private let buffer = NIOLockedValueBox<[String]>([])

    var logger: Logger {
        let buffer = buffer
        var logger = Logger(label: "identity-guard-test") { label in
            LineLogHandler(label: label, format: .json, level: .info) { bytes in
                let line = String(decoding: bytes, as: UTF8.self)
                buffer.withLockedValue { $0.append(line) }
            }
        }
        logger.logLevel = .info
        return logger
    }

    var lines: [String] { buffer.withLockedValue { $0 } }

    /// The lines whose `msg` is `message`, parsed.
    func events(_ message: String) -> [JSONValue] {
        lines.compactMap { try? JSONReader.parse($0) }.filter { $0["msg"]?.stringValue == message }
    }
}

/// A logger that drops everything (the service group's own chatter).
let quietLogger = Logger(label: "identity-guard-test-quiet") { _ in SwiftLogNoOpLogHandler() }

// MARK: - Waiting

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
}

// MARK: - HTTP client

/// An HTTP client configuration that trusts the test CA (and presents `clientCertificate` when given).
func clientConfiguration(
    trusting pki: TestPKI,
    clientCertificate: CertificateAuthority.Issued? = nil,
    httpVersion: HTTPClient.Configuration.HTTPVersion = .automatic
) throws -> HTTPClient.Configuration {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .certificates([try pki.caCertificate])
    if let clientCertificate {
        tls.certificateChain = [.certificate(try clientCertificate.nioCertificate)]
        tls.privateKey = .privateKey(try clientCertificate.nioPrivateKey)
    }
    var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
    configuration.httpVersion = httpVersion
    configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
    return configuration
}

/// Runs `body` with a new HTTP client, which is shut down afterwards whatever happens.
@discardableResult
func withHTTPClient<T>(
    _ configuration: HTTPClient.Configuration,
    _ body: (HTTPClient) async throws -> T
) async throws -> T {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    let result: T
    do {
        result = try await body(client)
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
    return result
}

/// One HTTP exchange's result.
struct Reply: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var version: HTTPVersion
    var bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }
    var json: JSONValue {
        get throws { try JSONReader.parse(bytes) }
    }
}

/// Sends one request with `client` to `url`.
func send(
    _ client: HTTPClient,
    _ url: String,
    method: HTTPMethod = .POST,
    body: [UInt8]? = nil,
    contentType: String? = "application/json"
) async throws -> Reply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
    if let body { request.body = .bytes(body) }
    return try await send(client, request)
}

func send(_ client: HTTPClient, _ request: HTTPClientRequest) async throws -> Reply {
    let response = try await client.execute(request, timeout: .seconds(15))
    let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
    return Reply(status: response.status, headers: response.headers, version: response.version,
                 bytes: Array(body.readableBytesView))
}

// MARK: - The server

/// The real webhook server on ephemeral ports, run in a `ServiceGroup`, with an HTTP client that trusts it.
final class RunningServer: Sendable {
    let server: WebhookServer
    let pki: TestPKI
    let logs: LogCapture
    let webhookPort: Int
    let metricsPort: Int?
    /// Trusts the test CA; presents no client certificate.
    let client: HTTPClient
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let finished: NIOLockedValueBox<Bool>
    private let stopped = NIOLockedValueBox(false)

    var baseURL: String { "https://127.0.0.1:\(webhookPort)" }
    var metricsURL: String? { metricsPort.map { "http://127.0.0.1:\($0)" } }

    private init(server: WebhookServer, pki: TestPKI, logs: LogCapture, webhookPort: Int, metricsPort: Int?,
                 client: HTTPClient, group: ServiceGroup, task: Task<Void, any Error>, finished: NIOLockedValueBox<Bool>)
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
    static func configuration(certificateFile: String, privateKeyFile: String) -> WebhookServerConfiguration {
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
    static func start(
        pki: TestPKI,
        certificateFile: String? = nil,
        privateKeyFile: String? = nil,
        clientCertificate: CertificateAuthority.Issued? = nil,
        configure: (inout WebhookServerConfiguration) -> Void = { _ in }
    ) async throws -> RunningServer {
        var files = (certificate: certificateFile ?? "", key: privateKeyFile ?? "")
        if certificateFile == nil || privateKeyFile == nil {
            files = try pki.install(try pki.issueServer("identity-guard-test-server"))
        }
        var configuration = Self.configuration(certificateFile: files.certificate, privateKeyFile: files.key)
        configure(&configuration)
        let logs = LogCapture()
        let server = try WebhookServer(configuration: configuration, handler: AdmissionHandler(),
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
        let listening = await eventually(within: .seconds(10)) {
            let bound = ports.withLockedValue { $0 }
            return finished.withLockedValue { $0 } || (bound[.webhook] != nil && (!wantsMetrics || bound[.metrics] != nil))
        }
        let bound = ports.withLockedValue { $0 }
        guard listening, let webhookPort = bound[.webhook], !finished.withLockedValue({ $0 }) else {
            await group.triggerGracefulShutdown()
            task.cancel()
            _ = try? await task.value
            throw TestFailure("the server did not start listening: \(failure.withLockedValue { $0 }.map { "\($0)" } ?? "timeout")")
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
    static func with<T>(
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
    func triggerGracefulShutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// Waits for the service group's `run` to return (after graceful shutdown); throws what it threw, or a
    /// timeout after `timeout` (then cancels it).
    func waitUntilStopped(timeout: Duration = .seconds(15)) async throws {
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
    func stop() async throws {
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

    func send(_ path: String, method: HTTPMethod = .POST, body: [UInt8]? = nil,
              contentType: String? = "application/json", client: HTTPClient? = nil) async throws -> Reply
    {
        try await WebhookServerTests.send(client ?? self.client, baseURL + path, method: method, body: body,
                                          contentType: contentType)
    }

    /// POSTs an AdmissionReview and returns the parsed answer, requiring HTTP 200 with a JSON content type.
    func review(_ path: String, _ body: [UInt8], client: HTTPClient? = nil) async throws -> JSONValue {
        let reply = try await send(path, body: body, client: client)
        #expect(reply.status == .ok, "\(path): \(reply.text)")
        #expect(reply.headers["Content-Type"] == ["application/json"])
        return try reply.json
    }

    /// The certificate a fresh TLS handshake presents.
    func presentedCertificate() async throws -> [UInt8] {
        let connection = try await RawConnection.connect(port: webhookPort, tls: try rawClientTLS())
        defer { connection.close() }
        guard let certificate = try await connection.channel.nioSSL_peerCertificate().get() else {
            throw TestFailure("the handshake presented no certificate")
        }
        return try certificate.toDERBytes()
    }

    /// A TLS client configuration for raw connections, trusting the test CA.
    func rawClientTLS() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try pki.caCertificate])
        return tls
    }
}

// MARK: - Raw connections

/// A raw client connection (TCP, optionally TLS) to see what the server does at the connection level.
final class RawConnection: Sendable {
    let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    private init(channel: any Channel, received: NIOLockedValueBox<[UInt8]>) {
        self.channel = channel
        self.received = received
    }

    /// Connects to 127.0.0.1:`port`; with `tls`, returns after the handshake completed (or throws its error).
    static func connect(port: Int, tls: TLSConfiguration?, serverHostname: String? = "localhost") async throws
        -> RawConnection
    {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = loop.makePromise(of: Void.self)
        let received = NIOLockedValueBox<[UInt8]>([])
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let context {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: context, serverHostname: serverHostname))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            Collector(received: received, handshake: handshake, waitsForTLS: context != nil))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            handshake.fail(error)
            throw error
        }
        do {
            try await handshake.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        return RawConnection(channel: channel, received: received)
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    var receivedText: String { String(decoding: received.withLockedValue { $0 }, as: UTF8.self) }

    var isOpen: Bool { channel.isActive }

    /// Waits until the peer closed the connection; returns false if it is still open after `timeout`.
    func waitForClose(within timeout: Duration) async -> Bool {
        let channel = channel
        return await eventually(within: timeout) { !channel.isActive }
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Collects what arrives and reports the end of the TLS handshake.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let received: NIOLockedValueBox<[UInt8]>
        private let handshake: EventLoopPromise<Void>
        private var handshakeDone: Bool

        init(received: NIOLockedValueBox<[UInt8]>, handshake: EventLoopPromise<Void>, waitsForTLS: Bool) {
            self.received = received
            self.handshake = handshake
            handshakeDone = false
            if !waitsForTLS {
                handshakeDone = true
                handshake.succeed(())
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0.append(contentsOf: buffer.readableBytesView) }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? TLSUserEvent, case .handshakeCompleted = event { finish(nil) }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(TestFailure("the connection closed before the TLS handshake completed"))
            context.fireChannelInactive()
        }

        private func finish(_ error: (any Error)?) {
            guard !handshakeDone else { return }
            handshakeDone = true
            if let error { handshake.fail(error) } else { handshake.succeed(()) }
        }
    }
}

// MARK: - AdmissionReview bodies

enum Review {
    static let v1 = "admission.k8s.io/v1"
    static let v1beta1 = "admission.k8s.io/v1beta1"
    static let userKind: JSONValue = ["group": "auth.alauda.io", "version": "v1", "kind": "User"]
    static let identityKind: JSONValue = ["group": "user.openshift.io", "version": "v1", "kind": "Identity"]

    static func body(
        apiVersion: String = v1,
        uid: String,
        kind: JSONValue = userKind,
        operation: String = "CREATE",
        name: String,
        object: JSONValue?,
        oldObject: JSONValue? = nil
    ) -> [UInt8] {
        let request: JSONValue = [
            "uid": .string(uid), "kind": kind, "name": .string(name), "operation": .string(operation),
            "object": object ?? .null, "oldObject": oldObject ?? .null, "dryRun": false,
        ]
        return JSONWriter.serialize(["apiVersion": .string(apiVersion), "kind": "AdmissionReview", "request": request])
    }

    static func user(_ name: String, _ spec: JSONValue) -> JSONValue {
        ["apiVersion": "auth.alauda.io/v1", "kind": "User", "metadata": ["name": .string(name)], "spec": spec]
    }

    static func identity(provider: String = "github", user: String, reference: JSONValue) -> JSONValue {
        [
            "apiVersion": "user.openshift.io/v1", "kind": "Identity",
            "metadata": ["name": .string("\(provider):\(user)")],
            "providerName": .string(provider), "providerUserName": .string(user), "user": reference,
        ]
    }

    /// A valid User CREATE, allowed by /validate.
    static func allowedUser(uid: String, name: String = "bob", apiVersion: String = v1) -> [UInt8] {
        body(apiVersion: apiVersion, uid: uid, name: name,
             object: user(name, ["email": .string("\(name)@example.com"), "username": .string(name)]))
    }

    /// A User CREATE that /validate denies for `user.state`.
    static func deniedUser(uid: String, name: String = "carol") -> [UInt8] {
        body(uid: uid, name: name, object: user(name, ["email": .string("\(name)@example.com"), "state": "sleeping"]))
    }

    /// The expected v1/v1beta1 envelope around `response`.
    static func answer(_ apiVersion: String, _ response: JSONValue) -> JSONValue {
        ["apiVersion": .string(apiVersion), "kind": "AdmissionReview", "response": response]
    }
}

extension JSONValue {
    /// The object without member `key` (order of the others kept).
    func removing(_ key: String) -> JSONValue {
        guard var object = objectValue else { return self }
        object[key] = nil
        return .object(object)
    }
}

// MARK: - Prometheus text

/// The samples of a Prometheus text exposition: `name{labels}` → value text.
struct PrometheusText {
    let text: String
    let samples: [String: String]

    init(_ text: String) {
        self.text = text
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        self.samples = samples
    }

    /// The value of the sample `series` (`name` or `name{label="value",…}` exactly as exposed).
    func value(_ series: String) -> Double? {
        samples[series].flatMap { Double($0) }
    }
}
