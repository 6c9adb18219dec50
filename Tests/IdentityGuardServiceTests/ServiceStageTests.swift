import ClusterCache
import Foundation
@testable import IdentityGuardService
import Logging
import Testing
import WebhookServer

@Suite("serve's start and stop order")
struct ServiceStageTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func options() -> ServiceManager.Options {
        var options = ServiceManager.Options(server: WebhookServerConfiguration(certificateFile: "", privateKeyFile: ""))
        options.developmentCertificates = true
        options.server.port = 0
        options.server.metricsPort = 0
        return options
    }

    static func writeKubeconfig() throws -> String {
        let kubeconfig = FileManager.default.temporaryDirectory
            .appendingPathComponent("stage-kubeconfig-\(UUID().uuidString)").path
        try """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            users: [{name: u, user: {token: t}}]
            """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        return kubeconfig
    }

    @Test("a certificate that cannot be read stops the start with a typed error, and the client made is closed")
    func unusableCertificate() throws {
        let kubeconfig = try Self.writeKubeconfig()
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        var options = Self.options()
        options.developmentCertificates = false
        options.server.certificateFile = "/nonexistent/tls.crt"
        options.server.privateKeyFile = "/nonexistent/tls.key"
        options.cluster = .kubeconfig(kubeconfig)
        #expect { try ServiceManager(options: options, logger: Self.logger) } throws: { error in
            (error as? StartupError)?.code == .certificate
        }
    }

    @Test("with a cluster, claims and an audit: the webhook stops right after the drain, the client after every user")
    func everything() async throws {
        let kubeconfig = try Self.writeKubeconfig()
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        var options = Self.options()
        options.cluster = .kubeconfig(kubeconfig)
        options.claims = .lease(namespace: "claims")
        options.auditInterval = .seconds(60)
        let manager = try ServiceManager(options: options, logger: Self.logger)
        let stages = try manager.stages().map(\.stage)
        await manager.shutdown()
        #expect(stages == [.probes, .certificates, .apiserverClient, .usersCache, .emailClaims, .emailClaims,
                           .audit, .webhook, .drain])
        #expect(manager.readiness.unmetDescriptions == [
            "cluster-cache (first list not in yet)", "email-claims (not checked yet)",
        ])
    }

    @Test("without a cluster: no client, no claims; still drain first and probes last")
    func noCluster() throws {
        var options = Self.options()
        options.cluster = .none
        let manager = try ServiceManager(options: options, logger: Self.logger)
        #expect(try manager.stages().map(\.stage) == [.probes, .certificates, .usersCache, .webhook, .drain])
        #expect(manager.readiness.isReady)
    }
}
