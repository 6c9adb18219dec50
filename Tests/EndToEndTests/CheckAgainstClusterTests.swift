import IdentityGuardTesting
import ClusterCache
import Foundation
import IdentityGuardCLI
import Testing
import WebhookServer

@Suite("check --kubeconfig", .timeLimit(.minutes(1)))
struct CheckAgainstClusterTests {
    @Test("manifests are checked against the Users stored in the cluster")
    func checkAgainstCluster() async throws {
        let api = try await FakeAPIServer.start()
        api.seed(3)  // user-00000 … user-00002, emails user-0000N@example.com
        api.configure { $0.token = "kube-token" }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("check-cluster-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let caData = Data(api.pki.authority.certificatePEM.utf8).base64EncodedString()
        let kubeconfig = directory.appendingPathComponent("config").path
        try Data("""
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters: [{name: c, cluster: {server: "\(api.url)", certificate-authority-data: \(caData)}}]
            contexts: [{name: fake, context: {cluster: c, user: u}}]
            users: [{name: u, user: {token: kube-token}}]
            """.utf8).write(to: URL(fileURLWithPath: kubeconfig))
        let manifest = directory.appendingPathComponent("users.yaml").path
        try Data("""
            apiVersion: auth.alauda.io/v1
            kind: User
            metadata:
              name: newcomer
            spec:
              email: USER-00001@example.com
            ---
            apiVersion: auth.alauda.io/v1
            kind: User
            metadata:
              name: user-00002
            spec:
              email: user-00002@example.com
            """.utf8).write(to: URL(fileURLWithPath: manifest))

        let outcome = await CheckCommand.execute(paths: [manifest], kubeconfig: kubeconfig)
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput == """
            \(manifest):6:3: user.email-unique: spec.email: Duplicate value: "USER-00001@example.com": \
            already used by User "user-00001" (cluster)
            2 documents, 2 checked, 0 skipped, 1 denied, 0 warnings

            """)
        #expect(outcome.standardError.isEmpty)

        // Without the cluster both documents are fine; with an unreachable cluster the input cannot be used.
        let offline = await CheckCommand.execute(paths: [manifest])
        #expect(offline.status == 0)
        await api.stop()
        let unreachable = await CheckCommand.execute(paths: [manifest], kubeconfig: kubeconfig)
        #expect(unreachable.status == 2)
        #expect(unreachable.standardError.hasPrefix("identity-guard: --kubeconfig: listing users.auth.alauda.io failed"))
    }
}
