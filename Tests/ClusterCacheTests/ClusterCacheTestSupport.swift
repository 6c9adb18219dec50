import ClusterCache
import Foundation
import Logging
import NIOSSL
import WebhookServer

/// A failure of the test machinery itself (a timeout, a server that did not start).
struct HarnessFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A value behind a lock (the test target does not depend on NIOConcurrencyHelpers).
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    var current: Value { withLock { $0 } }
}

/// A logger that drops everything.
let silentLogger = Logger(label: "cluster-cache-test") { _ in SwiftLogNoOpLogHandler() }

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func poll(within timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
}

/// A throwaway CA with a serving certificate for `localhost` and `127.0.0.1`, its files in a private directory.
struct TestCertificates: Sendable {
    let directory: URL
    let authority: CertificateAuthority
    let serving: CertificateAuthority.Issued
    let certificateFile: String
    let keyFile: String

    init(name: String) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cluster-cache-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        authority = try CertificateAuthority(commonName: "\(name) CA")
        serving = try authority.issue(commonName: name, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        certificateFile = directory.appendingPathComponent("tls.crt").path
        keyFile = directory.appendingPathComponent("tls.key").path
        try Data(serving.certificatePEM.utf8).write(to: URL(fileURLWithPath: certificateFile))
        try Data(serving.privateKeyPEM.utf8).write(to: URL(fileURLWithPath: keyFile))
    }

    var caCertificate: NIOSSLCertificate {
        get throws { try NIOSSLCertificate(bytes: Array(authority.certificatePEM.utf8), format: .pem) }
    }

    var serverTLS: TLSConfiguration {
        get throws {
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(serving.certificatePEM.utf8),
                                                                      format: .pem))],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serving.privateKeyPEM.utf8), format: .pem))
            )
            tls.minimumTLSVersion = .tlsv12
            return tls
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// What a ``UsersCache`` told its observer.
struct CacheEvents: Sendable {
    var synced: [(users: Int, first: Bool)] = []
    var relisted = 0
    var watchRestarted = 0
    var changed = 0
}

/// A ``UsersCache`` reading a ``FakeAPIServer``, run in a task, with what its observer saw.
final class RunningCache: Sendable {
    let cache: UsersCache
    let events: Locked<CacheEvents>
    private let task: Task<Void, Never>

    /// The timing the tests use: small pages, short backoffs.
    static func timing(pageSize: Int = 100, watchTimeoutSeconds: Int = 30) -> Reflector.Timing {
        var timing = Reflector.Timing()
        timing.pageSize = pageSize
        timing.watchTimeoutSeconds = watchTimeoutSeconds
        timing.initialBackoff = .milliseconds(20)
        timing.maximumBackoff = .milliseconds(200)
        return timing
    }

    /// Starts a cache on `credentials`; `observe` sees the observer before it is installed (to mirror serve's).
    init(credentials: KubernetesCredentials, timing: Reflector.Timing = RunningCache.timing(),
         index: ClusterEmailIndex = ClusterEmailIndex(),
         observe: (inout UsersCache.Observer) -> Void = { _ in }) throws
    {
        let events = Locked(CacheEvents())
        var observer = UsersCache.Observer()
        observe(&observer)
        let outer = observer
        observer.synced = { users, first in
            events.withLock { $0.synced.append((users, first)) }
            outer.synced(users, first)
        }
        observer.relisted = {
            events.withLock { $0.relisted += 1 }
            outer.relisted()
        }
        observer.watchRestarted = {
            events.withLock { $0.watchRestarted += 1 }
            outer.watchRestarted()
        }
        observer.changed = { users in
            events.withLock { $0.changed += 1 }
            outer.changed(users)
        }
        let client = try KubernetesClient(credentials: credentials)
        let cache = UsersCache(client: client, index: index, observer: observer, timing: timing, logger: silentLogger)
        self.cache = cache
        self.events = events
        task = Task { try? await cache.run() }
    }

    convenience init(api: FakeAPIServer, timing: Reflector.Timing = RunningCache.timing(),
                     index: ClusterEmailIndex = ClusterEmailIndex(),
                     observe: (inout UsersCache.Observer) -> Void = { _ in }) throws
    {
        try self.init(credentials: try api.credentials(), timing: timing, index: index, observe: observe)
    }

    var index: ClusterEmailIndex { cache.index }

    /// Waits until the cache has synced `count` times (default: once).
    func synced(times count: Int = 1, within timeout: Duration = .seconds(5)) async -> Bool {
        await poll(within: timeout) { events.current.synced.count >= count }
    }

    /// Cancels the cache and waits for it (its Kubernetes client is shut down on the way out). `afterCancel`
    /// runs in between: ending the fake server's watches there lets it answer the client's TLS close at once
    /// (a server stuck in a watch does not, and the client then waits out NIOSSL's 5 s shutdown timeout).
    func stop(afterCancel: () -> Void = {}) async {
        task.cancel()
        afterCancel()
        await task.value
    }
}
