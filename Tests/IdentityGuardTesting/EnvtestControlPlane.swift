import AsyncHTTPClient
import ClusterCache
import Crypto
import Foundation
import KubeJSON
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real etcd and kube-apiserver on ephemeral loopback ports, controller-runtime's `envtest` in small.
///
/// The binaries come from `KUBEBUILDER_ASSETS` (the envtest convention: `.ci/run` fills it with
/// `shared/envtest/setup.sh`; any `setup-envtest` download works too). Everything the pair needs is made in a
/// fresh temporary directory: the service-account key (P-256, made in code), a token file with an admin token
/// and a token for a user that RBAC has given nothing, and the etcd data. The apiserver makes its own serving
/// certificate there, which the client trusts. ``stop()`` ends both processes and removes the directory.
package final class EnvtestControlPlane: Sendable {
    /// The static token of `admin` (group `system:masters`).
    package static let adminToken = "envtest-admin-token"
    /// The static token of a user with no RBAC grants: tests bind roles to it.
    package static let limitedToken = "envtest-limited-token"
    package static let limitedUser = "identity-guard-envtest"

    /// Where the binaries are, or nil when the real-apiserver suites cannot run here.
    package static var assetsDirectory: String? {
        guard let directory = ProcessInfo.processInfo.environment["KUBEBUILDER_ASSETS"], !directory.isEmpty else {
            return nil
        }
        let found = ["kube-apiserver", "etcd"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: directory + "/" + $0)
        }
        return found ? directory : nil
    }

    /// Whether the binaries are here.
    package static var isAvailable: Bool { assetsDirectory != nil }

    /// Whether the real-apiserver suites must run: in CI (`CI=true`) or with `REQUIRE_ENVTEST=1`. A required
    /// suite whose control plane cannot start fails; it never skips.
    package static var isRequired: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["CI"] == "true" || environment["REQUIRE_ENVTEST"] == "1"
    }

    /// Whether the real-apiserver suites run: when the binaries are here, and always when they are required
    /// (then a missing binary fails the suite). Elsewhere they are skipped with ``skipReason``.
    package static var shouldRun: Bool { isAvailable || isRequired }
    package static let skipReason: Comment = """
        needs a kube-apiserver and etcd: run `bash ../shared/envtest/setup.sh .build/envtest` (or setup-envtest) \
        and set KUBEBUILDER_ASSETS to that folder
        """

    package let directory: URL
    /// `https://127.0.0.1:PORT`.
    package let server: String
    package let etcdURL: String
    /// The apiserver's self-made serving certificate (and its CA), PEM: what clients trust.
    package let caCertificatePEM: String
    private let apiserverPort: Int
    private let assets: String
    private let processes: Locked<(etcd: Process?, apiserver: Process?)>
    private let client: HTTPClient

    private init(directory: URL, assets: String, etcdPort: Int, apiserverPort: Int, etcd: Process,
                 apiserver: Process, caCertificatePEM: String, client: HTTPClient)
    {
        self.directory = directory
        self.assets = assets
        self.apiserverPort = apiserverPort
        server = "https://127.0.0.1:\(apiserverPort)"
        etcdURL = "http://127.0.0.1:\(etcdPort)"
        self.caCertificatePEM = caCertificatePEM
        processes = Locked((etcd, apiserver))
        self.client = client
    }

    /// Starts etcd and the apiserver and waits until `/readyz` answers ok (about 5 s).
    package static func start() async throws -> EnvtestControlPlane {
        guard let assets = assetsDirectory else {
            throw TestFailure("""
                the real-apiserver suites are required here (CI=true or REQUIRE_ENVTEST=1) but KUBEBUILDER_ASSETS                 does not name a folder with kube-apiserver and etcd: \(skipReason)
                """)
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("identity-guard-envtest-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        try key.pemRepresentation.write(to: directory.appendingPathComponent("sa.key"), atomically: true,
                                        encoding: .utf8)
        try key.publicKey.pemRepresentation.write(to: directory.appendingPathComponent("sa.pub"), atomically: true,
                                                  encoding: .utf8)
        try """
            \(adminToken),admin,admin,system:masters
            \(limitedToken),\(limitedUser),\(limitedUser)

            """.write(to: directory.appendingPathComponent("tokens.csv"), atomically: true, encoding: .utf8)
        let etcdPort = try freePort()
        let peerPort = try freePort()
        let apiserverPort = try freePort()
        let etcd = try launch(assets + "/etcd", [
            "--data-dir", directory.appendingPathComponent("etcd").path,
            "--listen-client-urls", "http://127.0.0.1:\(etcdPort)",
            "--advertise-client-urls", "http://127.0.0.1:\(etcdPort)",
            "--listen-peer-urls", "http://127.0.0.1:\(peerPort)",
            "--initial-cluster", "default=http://127.0.0.1:\(peerPort)",
            "--initial-advertise-peer-urls", "http://127.0.0.1:\(peerPort)",
        ], log: directory.appendingPathComponent("etcd.log"))
        let apiserver: Process
        do {
            apiserver = try launchAPIServer(assets: assets, directory: directory, etcdPort: etcdPort,
                                            port: apiserverPort)
        } catch {
            etcd.terminate()
            throw error
        }
        let certificateFile = directory.appendingPathComponent("serving/apiserver.crt").path
        var pem: String?
        for _ in 0..<300 where pem == nil {
            pem = try? String(contentsOfFile: certificateFile, encoding: .utf8)
            if pem == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array((pem ?? "").utf8)))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let plane = EnvtestControlPlane(directory: directory, assets: assets, etcdPort: etcdPort,
                                        apiserverPort: apiserverPort, etcd: etcd, apiserver: apiserver,
                                        caCertificatePEM: pem ?? "", client: client)
        do {
            try await plane.waitUntilReady()
        } catch {
            await plane.stop()
            throw error
        }
        return plane
    }

    private static func launchAPIServer(assets: String, directory: URL, etcdPort: Int, port: Int) throws -> Process {
        try launch(assets + "/kube-apiserver", [
            "--etcd-servers", "http://127.0.0.1:\(etcdPort)",
            "--bind-address", "127.0.0.1",
            "--secure-port", "\(port)",
            "--cert-dir", directory.appendingPathComponent("serving").path,
            "--service-cluster-ip-range", "10.0.0.0/24",
            "--endpoint-reconciler-type", "none",
            "--authorization-mode", "RBAC",
            "--token-auth-file", directory.appendingPathComponent("tokens.csv").path,
            "--service-account-issuer", "https://kubernetes.default.svc",
            "--service-account-key-file", directory.appendingPathComponent("sa.pub").path,
            "--service-account-signing-key-file", directory.appendingPathComponent("sa.key").path,
            // Watches straight from etcd: a resourceVersion older than a compaction is then always 410 Gone.
            "--watch-cache=false",
            // Without it, SIGTERM with a watch open waits about a minute for the watch to end.
            "--shutdown-watch-termination-grace-period=2s",
        ], log: directory.appendingPathComponent("apiserver.log"))
    }

    private static func launch(_ executable: String, _ arguments: [String], log: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Polls `/readyz` until it answers 200.
    package func waitUntilReady(within timeout: Duration = .seconds(90)) async throws {
        let ready = await eventually(within: timeout) {
            (try? await self.request(.GET, "/readyz").status) == 200
        }
        guard ready else { throw TestFailure("the apiserver did not get ready:\n\(logTail())") }
    }

    /// Credentials for the cache, claims or audit: this apiserver, its CA, and `token` (the admin's by default).
    package func credentials(token: String = EnvtestControlPlane.adminToken) throws -> KubernetesCredentials {
        KubernetesCredentials(server: server,
                              trustRoots: try NIOSSLCertificate.fromPEMBytes(Array(caCertificatePEM.utf8)),
                              token: .literal(token), source: "envtest")
    }

    /// Stops the apiserver (SIGTERM) and starts it again on the same port with the same etcd; waits for ready.
    package func restartAPIServer(downtime: Duration = .zero) async throws {
        stopAPIServer()
        try await Task.sleep(for: downtime)
        try await startAPIServer()
    }

    /// Stops the apiserver, leaving etcd running: clients get connection refused until ``startAPIServer()``.
    package func stopAPIServer() {
        let old = processes.withLock { current in
            defer { current.apiserver = nil }
            return current.apiserver
        }
        if let old { Self.end(old) }
    }

    /// Starts the apiserver again on its port and waits until it is ready.
    package func startAPIServer() async throws {
        let etcdPort = Int(etcdURL.split(separator: ":").last ?? "") ?? 0
        let fresh = try Self.launchAPIServer(assets: assets, directory: directory, etcdPort: etcdPort,
                                             port: apiserverPort)
        processes.withLock { $0.apiserver = fresh }
        try await waitUntilReady()
    }

    /// Compacts etcd's history up to its current revision, so that any older resourceVersion is `410 Gone`.
    @discardableResult
    package func compact() async throws -> Int64 {
        let range = try await etcd("/v3/kv/range", ["key": "AA=="])
        guard case .string(let text)? = range["header"]?["revision"], let revision = Int64(text) else {
            throw TestFailure("etcd did not report its revision: \(JSONWriter.string(range))")
        }
        _ = try await etcd("/v3/kv/compaction", ["revision": .string(String(revision)), "physical": true])
        return revision
    }

    private func etcd(_ path: String, _ body: JSONValue) async throws -> JSONValue {
        var request = HTTPClientRequest(url: etcdURL + path)
        request.method = .POST
        request.body = .bytes(JSONWriter.serialize(body))
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            throw TestFailure("etcd \(path): \(response.status) \(String(buffer: bytes))")
        }
        return try JSONReader.parse(bytes.readableBytesView)
    }

    /// One REST call as `token` (the admin's by default): the status and the parsed body (nil when not JSON).
    package func request(
        _ method: HTTPMethod,
        _ path: String,
        body: JSONValue? = nil,
        token: String = EnvtestControlPlane.adminToken,
        contentType: String = "application/json"
    ) async throws -> (status: Int, body: JSONValue?) {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(JSONWriter.serialize(body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), try? JSONReader.parse(bytes.readableBytesView))
    }

    /// Creates `object` at `collectionPath` as the admin; fails the test unless the apiserver says 201.
    @discardableResult
    package func create(_ collectionPath: String, _ object: JSONValue) async throws -> JSONValue {
        let reply = try await request(.POST, collectionPath, body: object)
        guard reply.status == 201, let body = reply.body else {
            let text = reply.body.map { JSONWriter.string($0) } ?? ""
            throw TestFailure("POST \(collectionPath): \(reply.status) \(text)")
        }
        return body
    }

    /// Creates a CustomResourceDefinition (unless it exists) and waits until it is Established and served.
    package func installCRD(_ crd: JSONValue) async throws {
        let created = try await request(.POST, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: crd)
        guard created.status == 201 || created.status == 409 else {
            throw TestFailure("creating a CRD: \(created.status) \(created.body.map { JSONWriter.string($0) } ?? "")")
        }
        let name = crd["metadata"]?["name"]?.stringValue ?? ""
        let established = try await eventually(within: .seconds(30)) {
            let reply = try await self.request(.GET, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/\(name)")
            let conditions = reply.body?["status"]?["conditions"]?.arrayValue ?? []
            return conditions.contains { $0["type"] == "Established" && $0["status"] == "True" }
        }
        guard established else { throw TestFailure("CRD \(name) did not become Established") }
        let group = crd["spec"]?["group"]?.stringValue ?? ""
        let plural = crd["spec"]?["names"]?["plural"]?.stringValue ?? ""
        let version = crd["spec"]?["versions"]?.arrayValue?.first?["name"]?.stringValue ?? "v1"
        let served = try await eventually(within: .seconds(30)) {
            try await self.request(.GET, "/apis/\(group)/\(version)/\(plural)").status == 200
        }
        guard served else { throw TestFailure("CRD \(name) is not served") }
    }

    /// The last lines of both logs, for failure messages.
    package func logTail(lines: Int = 30) -> String {
        ["etcd.log", "apiserver.log"].map { name in
            let text = (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return "--- \(name)\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Ends both processes (SIGTERM, then SIGKILL after 10 s) and removes the directory.
    package func stop() async {
        try? await client.shutdown()
        let running = processes.withLock { current in
            defer { current = (nil, nil) }
            return [current.apiserver, current.etcd].compactMap { $0 }
        }
        for process in running { Self.end(process) }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func end(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
    package static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw TestFailure("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
