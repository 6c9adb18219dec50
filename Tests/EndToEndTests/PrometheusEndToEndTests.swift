import AsyncHTTPClient
import Foundation
import IdentityGuardTesting
import KubeJSON
import NIOHTTP1
import NIOSSL
import Testing

/// The monitoring component against the real things: a real Prometheus scrapes `identity-guard serve` running
/// against a real apiserver while it takes traffic; every metric an alert or a dashboard panel reads has series,
/// and a serving certificate that expires in two days makes IdentityGuardCertificateExpiringSoon go pending in
/// Prometheus's own `/api/v1/alerts` — while the alerts that should stay silent do.
@Suite("a real Prometheus scrapes a running server and evaluates the shipped alerts", .envtest, .serialized,
       .enabled(if: EnvtestControlPlane.shouldRun, EnvtestControlPlane.skipReason),
       .enabled(if: PrometheusTools.shouldRun, PrometheusTools.skipReason), .timeLimit(.minutes(3)))
struct PrometheusEndToEndTests {
    /// Metric names only kube-state-metrics and Prometheus itself provide (the availability alerts).
    static let foreignPrefixes = ["kube_", "up"]

    @Test("every identity_guard_* name in alerts and panels has series; the expiring certificate's alert is pending")
    func scrapeAndAlert() async throws {
        let plane = try EnvtestScope.plane()
        try await plane.installCRD(try Repository.object(try Repository.kustomize("deploy"),
                                                         kind: "CustomResourceDefinition"))
        try await plane.create("/api/v1/namespaces", ["metadata": ["name": "prometheus-claims"]])
        let pki = try TestPKI()
        defer { pki.remove() }
        // Two days left: inside the 7-day warning, not expired.
        let files = try pki.install(try pki.issueServer("identity-guard", validity: .seconds(2 * 86_400)))
        let serve = try ServeProcess(plane: plane, arguments: [
            "--tls-cert", files.certificate, "--tls-key", files.key, "--address", "127.0.0.1",
            "--claims", "lease", "--claims-namespace", "prometheus-claims", "--audit-interval", "1s",
            "--shutdown-delay", "0s", "--log-level", "warning",
        ], dev: false)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try pki.caCertificate])
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        defer { _ = client.shutdown() }
        #expect(await eventually(within: .seconds(30)) {
            (try? await send(client, serve.webhookURL + "/readyz", method: .GET, contentType: nil).text) == "ok\n"
        }, "\(serve.log)")

        // Traffic: an allowed CREATE (an email claimed), a denial, a mutation, an errored review and a 415.
        let allowed = try await send(client, serve.webhookURL + "/validate", body: Review.allowedUser(uid: "a"))
        #expect(try allowed.json["response"]?["allowed"] == true, "\(serve.log)")
        let denied = try await send(client, serve.webhookURL + "/validate", body: Review.deniedUser(uid: "d"))
        #expect(try denied.json["response"]?["allowed"] == false)
        let mutated = try await send(client, serve.webhookURL + "/mutate", body: Review.body(
            uid: "m", name: "dave", object: Review.user("dave", ["email": "dave@example.com", "password": "x"])))
        #expect(try mutated.json["response"]?["patch"] != nil)
        let errored = try await send(client, serve.webhookURL + "/validate", body: Review.body(
            uid: "e", operation: "PATCH", name: "erin", object: Review.user("erin", ["email": "erin@example.com"])))
        #expect(try errored.json["response"]?["status"]?["code"] == 400)
        let refused = try await send(client, serve.webhookURL + "/validate", body: Review.allowedUser(uid: "r"),
                                     contentType: "text/plain")
        #expect(refused.status == .unsupportedMediaType)

        let prometheus = try PrometheusProcess(target: "127.0.0.1:\(serve.metricsPort)", job: "identity-guard",
                                               rules: try PrometheusTools.ruleFile())
        do {
            #expect(await eventually(within: .seconds(30)) { await prometheus.targetIsUp() }, "\(prometheus.log)")

            var referenced = Set<String>()
            for alert in try PrometheusTools.alerts() {
                referenced.formUnion(PrometheusTools.metricNames(in: alert.expression))
            }
            for expression in try PrometheusTools.dashboardExpressions() {
                referenced.formUnion(PrometheusTools.metricNames(in: expression))
            }
            #expect(referenced.count >= 20)
            var missing = referenced
            _ = await eventually(within: .seconds(20)) {
                missing = referenced.subtracting(await prometheus.metricNames())
                return missing.isEmpty
            }
            #expect(missing.isEmpty, "no series in Prometheus for \(missing.sorted())")

            // for: 1h, so pending — Prometheus evaluated the shipped expression on the scraped expiry. Healthy
            // otherwise: scraped (IdentityGuardDown is pending only until the first scrape), cache fresh,
            // certificate valid, no 5xx, no audit findings, claims working.
            let silent = ["IdentityGuardDown", "IdentityGuardCertificateExpired", "IdentityGuardCacheStale",
                          "IdentityGuardErroredAnswers", "IdentityGuardAuditViolations",
                          "IdentityGuardEmailClaimsFailing", "IdentityGuardUnanswerableRequests"]
            var alerts: [String: String] = [:]
            _ = await eventually(within: .seconds(20)) {
                alerts = await prometheus.alerts()
                return alerts["IdentityGuardCertificateExpiringSoon"] == "pending"
                    && silent.allSatisfy { alerts[$0] == nil }
            }
            #expect(alerts["IdentityGuardCertificateExpiringSoon"] == "pending", "\(alerts)")
            for name in silent { #expect(alerts[name] == nil, "\(name): \(alerts)") }
        } catch {
            await prometheus.stop()
            throw error
        }
        await prometheus.stop()
        serve.terminate()
        #expect(await serve.exitStatus(within: .seconds(30)) == 0)
    }
}
