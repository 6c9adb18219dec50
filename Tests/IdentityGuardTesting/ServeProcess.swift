import AsyncHTTPClient
import Foundation
import KubeJSON
import NIOCore
import NIOSSL

/// The shipped `identity-guard serve --dev` as a child process against a real apiserver: a kubeconfig for the
/// plane's admin, ephemeral ports, its output and log in files, clients that trust its throwaway CA.
/// Unchecked: `Process` is used only through its thread-safe calls (isRunning, terminate, terminationStatus).
package final class ServeProcess: @unchecked Sendable {
    package let port: Int
    package let metricsPort: Int
    package let logFile: URL
    private let outputFile: URL
    private let process: Process

    /// Starts `serve --dev` on ephemeral ports with `arguments` added; `--kubeconfig` points at `plane`. With
    /// `dev` false there is no `--dev`: `arguments` name the certificate files (``authorityFile()`` has none).
    package init(plane: EnvtestControlPlane, arguments: [String], dev: Bool = true) throws {
        let directory = plane.directory
        let kubeconfig = try plane.writeKubeconfig()
        port = try EnvtestControlPlane.freePort()
        metricsPort = try EnvtestControlPlane.freePort()
        let name = UUID().uuidString.prefix(8)
        outputFile = directory.appendingPathComponent("serve-\(name).out")
        logFile = directory.appendingPathComponent("serve-\(name).log")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let serve = Process()
        serve.executableURL = Subprocess.identityGuard
        serve.arguments = ["serve"] + (dev ? ["--dev"] : [])
            + ["--port", "\(port)", "--metrics-port", "\(metricsPort)", "--kubeconfig", kubeconfig] + arguments
        serve.standardOutput = try FileHandle(forWritingTo: outputFile)
        serve.standardError = try FileHandle(forWritingTo: logFile)
        serve.standardInput = FileHandle.nullDevice
        try serve.run()
        process = serve
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// What the process logged so far.
    package var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    package var metricsURL: String { "http://127.0.0.1:\(metricsPort)" }
    package var webhookURL: String { "https://127.0.0.1:\(port)" }

    /// The throwaway CA's file, once `serve --dev` has printed it.
    package func authorityFile() throws -> String {
        let printed = try String(contentsOf: outputFile, encoding: .utf8)
        guard let line = printed.split(separator: "\n").first(where: { $0.contains("CA certificate: ") }),
            let path = line.split(separator: " ").last
        else { throw TestFailure("serve --dev printed no CA certificate: \(printed)") }
        return String(path)
    }

    /// A client configuration that trusts the process's CA.
    package func clientConfiguration() throws -> HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(try authorityFile())
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(15))
        return configuration
    }

    /// Sends SIGTERM, as the kubelet does.
    package func terminate() {
        process.terminate()
    }

    /// Waits for the process to exit, at most `limit`; its status, or nil when it is still running (it is
    /// then killed, so that a hang fails the test rather than stalling it).
    package func exitStatus(within limit: Duration) async -> Int32? {
        let exited = await eventually(within: limit) { !process.isRunning }
        guard exited else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }
}

extension EnvtestControlPlane {
    /// Writes a kubeconfig for the plane's admin into its directory; returns its path.
    package func writeKubeconfig(token: String = EnvtestControlPlane.adminToken) throws -> String {
        let path = directory.appendingPathComponent("kubeconfig-\(UUID().uuidString.prefix(8))").path
        try """
            apiVersion: v1
            kind: Config
            current-context: envtest
            clusters:
            - name: envtest
              cluster:
                server: \(server)
                certificate-authority-data: \(Data(caCertificatePEM.utf8).base64EncodedString())
            contexts:
            - name: envtest
              context: {cluster: envtest, user: admin}
            users:
            - name: admin
              user: {token: \(token)}

            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
