import IdentityGuardTesting
import ClusterCache
import Foundation
import IdentityRules
import WebhookServer
import Testing
import KubeJSON

/// The Kubernetes client and its credentials against the fake API server.
@Suite("Kubernetes client and kubeconfig", .timeLimit(.minutes(1)))
struct KubernetesClientTests {
    private func temporaryFile(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kubeconfig-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a kubeconfig with certificate-authority-data and a token reads the fake API server")
    func kubeconfigWithToken() async throws {
        let api = try await FakeAPIServer.start()
        api.seed(7)
        api.configure { $0.token = "kube-token" }
        let caData = Data(api.pki.authority.certificatePEM.utf8).base64EncodedString()
        let path = try temporaryFile("config", """
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters:
            - name: fake-cluster
              cluster:
                server: \(api.url)/
                certificate-authority-data: \(caData)
            contexts:
            - name: fake
              context:
                cluster: fake-cluster
                user: fake-user
            users:
            - name: fake-user
              user:
                token: kube-token
            """)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        do {
            let credentials = try KubernetesCredentials.kubeconfig(path)
            #expect(credentials.server == api.url)
            #expect(credentials.trustRoots?.count == 1)
            #expect(credentials.source == "kubeconfig \(path), context fake")
            let client = try KubernetesClient(credentials: credentials)
            do {
                let page = try await client.list(.user, limit: 5)
                #expect(page.items.count == 5)
                #expect(page.continueToken != nil)
                #expect(page.resourceVersion == "\(api.resourceVersion)")
                // managedFields is skipped while reading; the rest of the object is there.
                #expect(page.items[0]["metadata"]?["managedFields"] == nil)
                #expect(page.items[0]["metadata"]?["name"]?.stringValue == "user-00000")
                #expect(page.items[0]["spec"]?["email"]?.stringValue == "user-00000@example.com")
                let rest = try await client.list(.user, limit: 5, continueToken: page.continueToken)
                #expect(rest.items.count == 2)
                #expect(rest.continueToken == nil)
                #expect(rest.resourceVersion == page.resourceVersion)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
            #expect(api.requests.authorizations == ["Bearer kube-token"])
        } catch {
            await api.stop()
            throw error
        }
        await api.stop()
    }

    @Test("a kubeconfig user with an exec plugin is refused with a clear message")
    func kubeconfigExecPlugin() throws {
        let path = try temporaryFile("config", """
            apiVersion: v1
            kind: Config
            current-context: eks
            clusters:
            - name: eks-cluster
              cluster:
                server: https://example.eks.amazonaws.com
            contexts:
            - name: eks
              context:
                cluster: eks-cluster
                user: eks-user
            users:
            - name: eks-user
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: aws
                  args: [eks, get-token, --cluster-name, demo]
            """)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect {
            try KubernetesCredentials.kubeconfig(path)
        } throws: { error in
            guard let error = error as? KubernetesError else { return false }
            return error.code == .configuration && error.message == "kubeconfig \(path): user \"eks-user\" uses an "
                + "exec or auth-provider plugin, which identity-guard does not run; use a token or a client certificate"
        }
    }

    @Test("404 is notFound naming the CRD; 410 on a continue token is gone; 401 is unauthorized")
    func errorCodes() async throws {
        let api = try await FakeAPIServer.start()
        api.seed(3)
        let client = try KubernetesClient(credentials: try api.credentials())
        do {
            api.configure { $0.notFound = true }
            await #expect {
                _ = try await client.list(.user, limit: 1)
            } throws: { error in
                guard let error = error as? KubernetesError else { return false }
                return error.code == .notFound && error.message == "users.auth.alauda.io is not served by the API "
                    + "server (is its CRD installed?): the server could not find the requested resource"
            }
            api.configure { $0.notFound = false }
            let first = try await client.list(.user, limit: 1)
            api.configure { $0.expireNextContinue = true }
            await #expect {
                _ = try await client.list(.user, limit: 1, continueToken: first.continueToken)
            } throws: { error in
                (error as? KubernetesError)?.code == .gone
            }
            api.configure { $0.token = "another-token" }
            await #expect {
                _ = try await client.list(.user, limit: 1)
            } throws: { error in
                (error as? KubernetesError)?.code == .unauthorized
            }
        } catch {
            await client.shutdown()
            await api.stop()
            throw error
        }
        await client.shutdown()
        await api.stop()
    }

    @Test("a watch streams the logged events after its resourceVersion, then live events and bookmarks")
    func watchStream() async throws {
        let api = try await FakeAPIServer.start()
        api.seed(2)
        let start = api.resourceVersion
        let added = api.add("carol", email: "carol@example.com")
        let client = try KubernetesClient(credentials: try api.credentials())
        do {
            let stream = try await client.watch(.user, resourceVersion: "\(start)", timeoutSeconds: 5)
            var iterator = stream.makeAsyncIterator()
            guard case .added(let carol)? = try await iterator.next() else {
                Issue.record("expected ADDED")
                throw TestFailure("no ADDED event")
            }
            #expect(carol["metadata"]?["resourceVersion"]?.stringValue == "\(added)")
            #expect(carol["metadata"]?["managedFields"] == nil)
            let bookmark = api.bookmark()
            guard case .bookmark(let version)? = try await iterator.next() else {
                throw TestFailure("no BOOKMARK event")
            }
            #expect(version == "\(bookmark)")
            api.delete("carol")
            guard case .deleted(let deleted)? = try await iterator.next() else {
                throw TestFailure("no DELETED event")
            }
            #expect(deleted["metadata"]?["name"]?.stringValue == "carol")
            api.endWatches()
            #expect(try await iterator.next() == nil)
            // From before the compaction point: an ERROR event with the 410 Status.
            let errors = try await client.watch(.user, resourceVersion: "1", timeoutSeconds: 5)
            var errorIterator = errors.makeAsyncIterator()
            guard case .error(let code, let message)? = try await errorIterator.next() else {
                throw TestFailure("no ERROR event")
            }
            #expect(code == 410)
            #expect(message.hasPrefix("too old resource version: 1"))
        } catch {
            await client.shutdown()
            await api.stop()
            throw error
        }
        await client.shutdown()
        await api.stop()
    }
}
