import IdentityGuardTesting
import Foundation
import KubeJSON
import Testing

/// deploy/components/monitoring: the component renders, promtool accepts the rules and their unit tests pass,
/// and every alert has a runbook. The live half — a real Prometheus scraping a running server, an alert going
/// pending — is `PrometheusEndToEndTests`.
@Suite("The monitoring component", .timeLimit(.minutes(3)))
struct MonitoringTests {
    static let alertNames = [
        "IdentityGuardDown", "IdentityGuardNoReadyReplica", "IdentityGuardBelowDisruptionBudget",
        "IdentityGuardEmailClaimsFailing", "IdentityGuardErroredAnswers", "IdentityGuardUnanswerableRequests",
        "IdentityGuardAdmissionLatencyHigh", "IdentityGuardCacheStale", "IdentityGuardCacheRelisting",
        "IdentityGuardCertificateExpiringSoon", "IdentityGuardCertificateExpired", "IdentityGuardAuditViolations",
    ]

    @Test("the overlay adds a ServiceMonitor, the PrometheusRule, the dashboard ConfigMap and the periodic audit")
    func renders() throws {
        let objects = try PrometheusTools.monitoringObjects()
        let monitor = try Repository.object(objects, kind: "ServiceMonitor", name: "identity-guard")
        #expect(monitor["metadata"]?["namespace"] == "identity-guard")
        #expect(monitor["spec"]?["selector"] == ["matchLabels": ["app.kubernetes.io/name": "identity-guard"]])
        #expect(monitor["spec"]?["endpoints"] == [["interval": "30s", "path": "/metrics", "port": "metrics",
                                                   "scheme": "http"]])
        // The Service the monitor selects carries the label and names the port.
        let service = try Repository.object(objects, kind: "Service", name: "identity-guard")
        #expect(service["metadata"]?["labels"]?["app.kubernetes.io/name"] == "identity-guard")
        #expect(service["spec"]?["ports"]?.arrayValue?.contains { $0["name"] == "metrics" } == true)

        let dashboard = try Repository.object(objects, kind: "ConfigMap", name: "identity-guard-dashboard")
        #expect(dashboard["metadata"]?["namespace"] == "identity-guard")
        #expect(dashboard["metadata"]?["labels"]?["grafana_dashboard"] == "1")
        #expect(try PrometheusTools.dashboardExpressions().count >= 20)

        let deployment = try Repository.object(objects, kind: "Deployment", name: "identity-guard")
        let container = deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
        let arguments = container?["args"]?.arrayValue ?? []
        #expect(arguments.last == "--audit-interval=10m")
        // cert-manager's objects are still there: the overlay combines both.
        #expect(objects.contains { $0["kind"] == "Certificate" })

        let alerts = try PrometheusTools.alerts()
        #expect(alerts.map(\.name) == Self.alertNames)
    }

    @Test("every alert has a runbook page in docs/runbooks with the three sections an operator needs")
    func runbooks() throws {
        for alert in try PrometheusTools.alerts() {
            let url = alert.annotations["runbook_url"]?.stringValue ?? ""
            #expect(url == "https://github.com/alauda/identity-guard/blob/main/docs/runbooks/\(alert.name).md")
            let page = Subprocess.repositoryRoot.appendingPathComponent("docs/runbooks/\(alert.name).md")
            let text = try String(contentsOf: page, encoding: .utf8)
            #expect(text.hasPrefix("# \(alert.name)\n"))
            for section in ["## What it means", "## How to confirm", "## What to do"] {
                #expect(text.contains(section), "\(alert.name): \(section)")
            }
            #expect(alert.annotations["summary"]?.stringValue?.isEmpty == false)
            #expect(alert.annotations["description"]?.stringValue?.isEmpty == false)
        }
        let index = try String(contentsOf: Subprocess.repositoryRoot.appendingPathComponent("docs/runbooks/README.md"),
                               encoding: .utf8)
        for name in Self.alertNames { #expect(index.contains("[\(name).md](\(name).md)")) }
    }

    @Test("promtool checks the rules and runs their unit tests: each alert fires when it should, and only then",
          .enabled(if: PrometheusTools.shouldRun, PrometheusTools.skipReason))
    func promtool() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("identity-guard-rules-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try PrometheusTools.ruleFile().write(to: directory.appendingPathComponent("rules.yaml"), atomically: true,
                                             encoding: .utf8)
        let testFiles = ["alerts.test.yaml", "certificates.test.yaml"]
        var testText = ""
        for file in testFiles {
            let tests = Subprocess.repositoryRoot.appendingPathComponent("deploy/components/monitoring/tests/\(file)")
            try FileManager.default.copyItem(at: tests, to: directory.appendingPathComponent(file))
            testText += try String(contentsOf: tests, encoding: .utf8)
        }

        let check = try Subprocess.run("promtool", ["check", "rules", "rules.yaml"], in: directory)
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        #expect(check.standardOutput.contains("SUCCESS: 12 rules found"))

        let unit = try Subprocess.run("promtool", ["test", "rules"] + testFiles, in: directory)
        #expect(unit.status == 0, "\(unit.standardOutput)\(unit.standardError)")
        #expect(unit.standardOutput.components(separatedBy: "SUCCESS").count == testFiles.count + 1)
        // Every alert is exercised by the unit tests.
        for name in Self.alertNames { #expect(testText.contains("alertname: \(name)\n"), "\(name) has no test") }
    }

    @Test("metric names in alerts and panels are parsed as families")
    func metricNames() {
        #expect(PrometheusTools.metricNames(in: #"histogram_quantile(0.99, sum by (le) "#
            + #"(rate(identity_guard_admission_duration_seconds_bucket{job="x"}[5m]))) > 5"#)
            == ["identity_guard_admission_duration_seconds_bucket"])
        #expect(PrometheusTools.family(of: "identity_guard_admission_duration_seconds_bucket")
            == "identity_guard_admission_duration_seconds")
        #expect(PrometheusTools.metricNames(in: "time() - identity_guard_cache_last_event_timestamp_seconds")
            == ["identity_guard_cache_last_event_timestamp_seconds"])
    }
}
