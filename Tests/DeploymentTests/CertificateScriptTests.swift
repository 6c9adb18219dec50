import IdentityGuardTesting
import AsyncHTTPClient
import Foundation
import IdentityRules
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import Testing
import WebhookServer
import Admission
import KubeJSON

@Suite("certs/generate.sh", .timeLimit(.minutes(5)))
struct CertificateScriptTests {
    static func generate() throws -> URL {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("certs-\(UUID().uuidString)")
        let result = try Subprocess.run("bash", ["certs/generate.sh", "--out", out.path])
        #expect(result.status == 0, "generate.sh failed: \(result.standardError)")
        return out
    }

    @Test("makes a CA and a serving certificate openssl verifies, with the Service's DNS names")
    func certificate() throws {
        let out = try Self.generate()
        defer { try? FileManager.default.removeItem(at: out) }
        let verify = try Subprocess.run("openssl", ["verify", "-CAfile", out.appendingPathComponent("ca.crt").path,
                                                    out.appendingPathComponent("tls.crt").path])
        #expect(verify.status == 0)
        #expect(verify.standardOutput.hasSuffix("tls.crt: OK\n"))
        let names = try Subprocess.run("openssl", ["x509", "-in", out.appendingPathComponent("tls.crt").path,
                                                   "-noout", "-ext", "subjectAltName"])
        #expect(names.standardOutput.contains("DNS:identity-guard.identity-guard.svc,"))
        #expect(names.standardOutput.contains("DNS:identity-guard.identity-guard.svc.cluster.local"))
        let key = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("tls.key").path)
        #expect((key[.posixPermissions] as? Int) == 0o600)
    }

    @Test("writes an overlay that renders the Secret and both caBundles")
    func overlay() throws {
        let out = try Self.generate()
        defer { try? FileManager.default.removeItem(at: out) }
        let objects = try Repository.kustomize(out.path)
        let caPEM = try String(contentsOf: out.appendingPathComponent("ca.crt"), encoding: .utf8)
        let bundle = Data(caPEM.utf8).base64EncodedString()
        for kind in ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"] {
            let configuration = try Repository.object(objects, kind: kind, name: "identity-guard")
            #expect(configuration["webhooks"]?.arrayValue?.first?["clientConfig"]?["caBundle"] == .string(bundle))
        }
        let secret = try Repository.object(objects, kind: "Secret", name: "identity-guard-tls")
        #expect(secret["type"] == "kubernetes.io/tls")
        #expect(secret["metadata"]?["namespace"] == "identity-guard")
    }

    @Test("identity-guard serves the generated certificate to a client trusting the generated CA")
    func served() async throws {
        let out = try Self.generate()
        defer { try? FileManager.default.removeItem(at: out) }
        var configuration = WebhookServerConfiguration(certificateFile: out.appendingPathComponent("tls.crt").path,
                                                       privateKeyFile: out.appendingPathComponent("tls.key").path)
        configuration.address = "127.0.0.1"
        configuration.port = 0
        configuration.metricsPort = nil
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let server = try WebhookServer(configuration: configuration, codec: ReviewCodec(), logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(
            services: try server.services { _, port in continuation.yield(port) }.map { .init(service: $0) },
            logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(out.appendingPathComponent("ca.crt").path))
        // The certificate names the in-cluster Service; the chain is what this test checks against 127.0.0.1.
        tls.certificateVerification = .noHostnameVerification
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            let response = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/healthz"),
                                                    timeout: .seconds(10))
            #expect(response.status == .ok)
            try await client.shutdown()
        } catch {
            try await client.shutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
