import AsyncHTTPClient
import Foundation
import KubeJSON
import NIOHTTP1

/// A real Prometheus (Debian's 2.42) as a child process: scrapes one target every second, evaluates the given
/// rule file every second, keeps its data in a temporary folder, and answers its HTTP API on an ephemeral port.
/// Unchecked: `Process` is used only through its thread-safe calls.
package final class PrometheusProcess: @unchecked Sendable {
    package let port: Int
    package let directory: URL
    private let process: Process
    private let client = HTTPClient(eventLoopGroupProvider: .singleton)

    /// Starts Prometheus scraping `target` (`host:port`, path /metrics) as job `job`, with `rules` as its rule file.
    package init(target: String, job: String, rules: String) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("identity-guard-prometheus-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try rules.write(to: directory.appendingPathComponent("rules.yaml"), atomically: true, encoding: .utf8)
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - rules.yaml
            scrape_configs:
              - job_name: \(job)
                static_configs:
                  - targets: ["\(target)"]
                    labels: {pod: identity-guard-test}
            """.write(to: directory.appendingPathComponent("prometheus.yaml"), atomically: true, encoding: .utf8)
        port = try EnvtestControlPlane.freePort()
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: PrometheusTools.path(of: "prometheus") ?? "/usr/bin/prometheus")
        prometheus.arguments = [
            "--config.file=\(directory.appendingPathComponent("prometheus.yaml").path)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        prometheus.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        prometheus.standardOutput = try FileHandle(forWritingTo: log)
        prometheus.standardError = try FileHandle(forWritingTo: log)
        prometheus.standardInput = FileHandle.nullDevice
        try prometheus.run()
        process = prometheus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Stops Prometheus and removes its data.
    package func stop() async {
        if process.isRunning { process.terminate() }
        _ = await eventually(within: .seconds(10)) { [process] in !process.isRunning }
        try? await client.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// What Prometheus logged so far.
    package var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
    }

    /// `data` of a GET on the HTTP API (`/api/v1/...`), or nil while Prometheus cannot answer.
    package func api(_ path: String) async -> JSONValue? {
        guard let reply = try? await send(client, "http://127.0.0.1:\(port)\(path)", method: .GET, contentType: nil),
            reply.status == .ok, let json = try? reply.json, json["status"] == "success"
        else { return nil }
        return json["data"]
    }

    /// Every metric name Prometheus has series of.
    package func metricNames() async -> Set<String> {
        let names = await api("/api/v1/label/__name__/values")?.arrayValue ?? []
        return Set(names.compactMap(\.stringValue))
    }

    /// The active alerts: name and state (`pending` or `firing`).
    package func alerts() async -> [String: String] {
        var alerts: [String: String] = [:]
        for alert in await api("/api/v1/alerts")?["alerts"]?.arrayValue ?? [] {
            if let name = alert["labels"]?["alertname"]?.stringValue, let state = alert["state"]?.stringValue {
                alerts[name] = state
            }
        }
        return alerts
    }

    /// Whether the scrape target is up, as Prometheus sees it.
    package func targetIsUp() async -> Bool {
        let targets = await api("/api/v1/targets")?["activeTargets"]?.arrayValue ?? []
        return targets.contains { $0["health"] == "up" }
    }
}
