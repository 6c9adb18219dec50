import AsyncHTTPClient
import Foundation
import IdentityGuardTesting
import KubeJSON
import NIOCore
import NIOHTTP1
import Testing

/// A rolling update as the apiserver sees it: SIGTERM reaches `serve` while several keep-alive clients keep
/// sending CREATEs of new Users, each with a fresh email that only a Lease claim in the apiserver can decide.
///
/// The shutdown contract (`ServiceStage`): readiness turns 503 first and the webhook keeps answering for the
/// shutdown delay; then the port stops accepting and answers what it has read, with the claims still working;
/// the cluster components and the apiserver client stop only after that. So every AdmissionReview that comes
/// back allows its valid new User; a refused or reset connection once the port has closed is what a client of
/// a terminating pod sees, and is fine. Before the manager decided the order, the Users cache closed the shared
/// client while the port still answered, and some answers refused valid Users ("POST …/leases failed").
@Suite("serve under load, SIGTERM", .envtest, .serialized,
       .enabled(if: EnvtestControlPlane.shouldRun, EnvtestControlPlane.skipReason), .timeLimit(.minutes(3)))
struct ShutdownUnderLoadTests {
    /// What one client saw.
    struct Tally: Sendable {
        var answers = 0
        var answersAfterSignal = 0
        var refusals: [String] = []
        var connectionErrors = 0
    }

    @Test("every answer after SIGTERM allows its fresh valid User; readiness is 503 while it drains; exit 0")
    func drainsBeforeLettingGoOfTheCluster() async throws {
        let plane = try EnvtestScope.plane()
        try await plane.installCRD(try Repository.object(try Repository.kustomize("deploy"),
                                                         kind: "CustomResourceDefinition"))
        if try await plane.request(.GET, "/api/v1/namespaces/drain-claims").status == 404 {
            try await plane.create("/api/v1/namespaces", ["metadata": ["name": "drain-claims"]])
        }
        let serve = try ServeProcess(plane: plane, arguments: [
            "--claims", "lease", "--claims-namespace", "drain-claims", "--shutdown-delay", "2s",
            "--log-level", "warning",
        ])
        let plain = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = plain.shutdown() }
        func readyz() async -> Reply? {
            try? await send(plain, serve.metricsURL + "/readyz", method: .GET, contentType: nil)
        }
        try #require(await eventually(within: .seconds(30)) { await readyz()?.text == "ok\n" }, "\(serve.log)")

        let signalled = Locked(false)
        let configuration = try {
            var configuration = try serve.clientConfiguration()
            // A request that meets the closing port may wait for its read timeout: keep that short.
            configuration.timeout.read = .seconds(3)
            return configuration
        }()
        let url = serve.webhookURL + "/validate"
        let tallies = try await withThrowingTaskGroup(of: Tally.self) { group in
            for client in 0..<4 {
                group.addTask {
                    try await withHTTPClient(configuration) { http in
                        var tally = Tally()
                        for request in 0..<5_000 {
                            let name = "drain-\(client)-\(request)"
                            let body = Review.userEmail(name: name, email: "\(name)@example.com")
                            let after = signalled.current
                            let reply: Reply
                            do {
                                reply = try await send(http, url, body: body)
                            } catch {
                                // Only a terminating server may close or refuse the connection.
                                if !after { throw error }
                                tally.connectionErrors += 1
                                break
                            }
                            let response = try reply.json["response"]
                            tally.answers += 1
                            if after { tally.answersAfterSignal += 1 }
                            if response?["allowed"] != true {
                                tally.refusals.append("\(name): \(response?["status"]?["message"] ?? "no message")")
                            }
                        }
                        return tally
                    }
                }
            }
            // Load first, then the signal, as in a rolling update.
            try await Task.sleep(for: .seconds(1))
            signalled.withLock { $0 = true }
            serve.terminate()
            #expect(await eventually(within: .seconds(2)) {
                await readyz()?.text == "not ready: shutting-down\n"
            }, "readiness must turn 503 at once, while the webhook still serves")
            var tallies: [Tally] = []
            for try await tally in group { tallies.append(tally) }
            return tallies
        }
        let status = await serve.exitStatus(within: .seconds(60))
        #expect(status == 0, "\(serve.log)")
        let refusals = tallies.flatMap(\.refusals)
        #expect(refusals.isEmpty, "valid new Users refused while shutting down: \(refusals.prefix(5))")
        let before = tallies.map { $0.answers - $0.answersAfterSignal }.reduce(0, +)
        let after = tallies.map(\.answersAfterSignal).reduce(0, +)
        #expect(before > 0 && after > 0, "answers before SIGTERM: \(before), after: \(after)")
        let lines = serve.log.split(separator: "\n")
        #expect(!lines.contains { $0.contains(#""level":"error""#) }, "\(serve.log)")
    }
}
