import KubeJSON
import IdentityGuardTesting
import AsyncHTTPClient
import IdentityRules
import NIOHTTP1
import NIOSSL
import Testing
import WebhookServer

/// What operators see: Prometheus metrics that count exactly what was sent, probes on both ports, and one
/// structured log line per admission without secrets.
@Suite("Metrics, probes and logs")
struct ObservabilityTests {
    static let admissionSeries = "identity_guard_admission_requests_total"

    /// Sends a known mix of requests: 3 denied, 2 allowed and 1 warned User CREATEs, 1 denied User UPDATE,
    /// 1 allowed Identity CREATE, 1 patched User CREATE on /mutate, a 415 and a 400 on /validate, and one
    /// AdmissionReview answered with `status.code` 400 (an operation the admission API does not have).
    static func sendMix(_ server: RunningServer) async throws {
        for index in 1...3 {
            let answer = try await server.review("/validate", Review.deniedUser(uid: "denied-\(index)", name: "carol\(index)"))
            #expect(answer["response"]?["allowed"] == false)
        }
        for index in 1...2 {
            let answer = try await server.review("/validate", Review.allowedUser(uid: "allowed-\(index)", name: "bob\(index)"))
            #expect(answer["response"]?["allowed"] == true)
        }
        let warned = try await server.review("/validate", Review.body(
            uid: "warned", name: "wendy",
            object: Review.user("wendy", ["email": "wendy@example.com", "password": "hunter2"])))
        #expect(warned["response"]?["warnings"] != nil)
        let update = try await server.review("/validate", Review.body(
            uid: "update", operation: "UPDATE", name: "ursula",
            object: Review.user("ursula", ["email": "ursula@example.com", "state": "sleeping"]),
            oldObject: Review.user("ursula", ["email": "ursula@example.com", "state": "active"])))
        #expect(update["response"]?["allowed"] == false)
        let identity = try await server.review("/validate", Review.body(
            uid: "identity", kind: Review.identityKind, name: "github:alice",
            object: Review.identity(user: "alice", reference: ["name": "alice", "uid": "38fd79e1-0a1e-44c1-a038-fa21b052fe1d"])))
        #expect(identity["response"]?["allowed"] == true)
        let mutated = try await server.review("/mutate", Review.body(
            uid: "mutate", name: "dave",
            object: Review.user("dave", ["email": "dave@example.com", "state": "disabled", "password": "hunter2"])))
        #expect(mutated["response"]?["patch"] != nil)
        let errored = try await server.review("/validate", Review.body(
            uid: "errored", operation: "PATCH", name: "erin", object: Review.user("erin", ["email": "erin@example.com"])))
        #expect(errored["response"]?["status"]?["code"] == 400)
        #expect(try await server.send("/validate", body: Review.allowedUser(uid: "x"), contentType: "text/plain").status
            == .unsupportedMediaType)
        #expect(try await server.send("/validate", body: Array(#"{"spec": {"password": "hunter2""#.utf8)).status
            == .badRequest)
    }

    @Test("/metrics counts exactly what was sent, on the TLS port and on the metrics port")
    func metrics() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let pair = try pki.issueServer("identity-guard-metrics", validity: .seconds(86_400 * 7))
        let files = try pki.install(pair)
        try await RunningServer.with(pki: pki, certificateFile: files.certificate, privateKeyFile: files.key,
                                     configure: { $0.metricsPort = 0 }) { server in
            try await Self.sendMix(server)
            let metricsURL = try #require(server.metricsURL)
            let expiry = Double(try pair.nioCertificate.notValidAfter)
            let overTLS = try await server.send("/metrics", method: .GET, contentType: nil)
            let plain = try await send(server.client, metricsURL + "/metrics", method: .GET, contentType: nil)
            for reply in [overTLS, plain] {
                #expect(reply.status == .ok)
                #expect(reply.headers["Content-Type"] == ["text/plain; version=0.0.4; charset=utf-8"])
                let metrics = PrometheusText(reply.text)
                func series(_ prefix: String) -> [String: Double] {
                    metrics.samples.filter { $0.key.hasPrefix(prefix + "{") }.compactMapValues { Double($0) }
                }
                #expect(series(Self.admissionSeries) == [
                    #"identity_guard_admission_requests_total{endpoint="validate",kind="User",operation="CREATE",decision="denied"}"#: 3,
                    #"identity_guard_admission_requests_total{endpoint="validate",kind="User",operation="CREATE",decision="allowed"}"#: 2,
                    #"identity_guard_admission_requests_total{endpoint="validate",kind="User",operation="CREATE",decision="warned"}"#: 1,
                    #"identity_guard_admission_requests_total{endpoint="validate",kind="User",operation="UPDATE",decision="denied"}"#: 1,
                    #"identity_guard_admission_requests_total{endpoint="validate",kind="Identity",operation="CREATE",decision="allowed"}"#: 1,
                    #"identity_guard_admission_requests_total{endpoint="mutate",kind="User",operation="CREATE",decision="patched"}"#: 1,
                    #"identity_guard_admission_requests_total{endpoint="validate",kind="other",operation="PATCH",decision="errored"}"#: 1,
                ])
                #expect(series("identity_guard_admission_errors_total") == [
                    #"identity_guard_admission_errors_total{endpoint="validate",code="400"}"#: 1,
                ])
                #expect(series("identity_guard_rejected_requests_total") == [
                    #"identity_guard_rejected_requests_total{endpoint="validate",code="415"}"#: 1,
                    #"identity_guard_rejected_requests_total{endpoint="validate",code="400"}"#: 1,
                ])
                #expect(series("identity_guard_violations_total") == [
                    #"identity_guard_violations_total{rule="user.state"}"#: 4,
                    #"identity_guard_violations_total{rule="user.password-deprecated"}"#: 1,
                ])
                #expect(series("identity_guard_mutations_total") == [
                    #"identity_guard_mutations_total{rule="user.password-deprecated"}"#: 1,
                    #"identity_guard_mutations_total{rule="user.state-consistency"}"#: 1,
                ])
                #expect(metrics.value(#"identity_guard_admission_duration_seconds_count{endpoint="validate"}"#) == 9)
                // Buckets past the webhooks' 5 s timeoutSeconds, so that a p99 above it can be seen.
                for bound in ["5.0", "10.0", "15.0", "30.0", "+Inf"] {
                    let series = #"identity_guard_admission_duration_seconds_bucket{endpoint="validate",le="\#(bound)"}"#
                    #expect(metrics.value(series) == 9, "le=\(bound)")
                }
                #expect(metrics.value(#"identity_guard_admission_duration_seconds_count{endpoint="mutate"}"#) == 1)
                #expect(metrics.value("identity_guard_certificate_expiry_timestamp_seconds") == expiry)
                #expect(metrics.text.contains("# TYPE identity_guard_admission_requests_total counter"))
                #expect(!metrics.text.contains("hunter2"))
            }
        }
    }

    @Test("/healthz and /readyz on both ports; /readyz follows readiness; admission only on the TLS port")
    func probes() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki, configure: { $0.metricsPort = 0 }) { server in
            let bases = [server.baseURL, try #require(server.metricsURL)]
            for base in bases {
                for path in ["/healthz", "/readyz"] {
                    let reply = try await send(server.client, base + path, method: .GET, contentType: nil)
                    #expect(reply.status == .ok, "\(base)\(path)")
                    #expect(reply.text == "ok\n", "\(base)\(path)")
                }
            }
            server.server.readiness.set("cluster-cache", ready: false)
            for base in bases {
                let ready = try await send(server.client, base + "/readyz", method: .GET, contentType: nil)
                #expect(ready.status == .serviceUnavailable)
                #expect(ready.text == "not ready: cluster-cache\n")
                let healthy = try await send(server.client, base + "/healthz", method: .GET, contentType: nil)
                #expect(healthy.status == .ok)
            }
            server.server.readiness.set("cluster-cache", ready: true)
            #expect(try await send(server.client, bases[1] + "/readyz", method: .GET, contentType: nil).status == .ok)

            let plainAdmission = try await send(server.client, bases[1] + "/validate", body: Review.allowedUser(uid: "plain"))
            #expect(plainAdmission.status == .notFound)
        }
    }

    @Test("one JSON log line per admission with uid, kind, name, operation, decision, rules, duration; no secrets")
    func logs() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        try await RunningServer.with(pki: pki) { server in
            try await Self.sendMix(server)
            let events = server.logs.events("admission")
            #expect(events.count == 10)
            let byUID = Dictionary(events.compactMap { event in event["uid"]?.stringValue.map { ($0, event) } },
                                   uniquingKeysWith: { first, _ in first })
            func expectLine(_ uid: String, endpoint: String = "validate", kind: String = "User", name: String,
                            operation: String = "CREATE", decision: String, rules: [String]?,
                            sourceLocation: SourceLocation = #_sourceLocation) throws
            {
                let event = try #require(byUID[uid], "no log line for \(uid)", sourceLocation: sourceLocation)
                let duration = try #require(event["duration_us"]?.stringValue, sourceLocation: sourceLocation)
                #expect(Int(duration) != nil, "duration_us \(duration)", sourceLocation: sourceLocation)
                #expect(event["level"] == "info", sourceLocation: sourceLocation)
                var expected: JSONValue = [
                    "uid": .string(uid), "endpoint": .string(endpoint), "kind": .string(kind), "name": .string(name),
                    "operation": .string(operation), "decision": .string(decision),
                ]
                if let rules { expected = expected.adding("rules", .array(rules.map { .string($0) })) }
                let actual = event.removing("time").removing("level").removing("logger").removing("msg")
                    .removing("duration_us")
                #expect(actual.sortedMembers == expected.sortedMembers, sourceLocation: sourceLocation)
            }
            try expectLine("denied-1", name: "carol1", decision: "denied", rules: ["user.state"])
            try expectLine("allowed-1", name: "bob1", decision: "allowed", rules: nil)
            try expectLine("warned", name: "wendy", decision: "warned", rules: ["user.password-deprecated"])
            try expectLine("update", name: "ursula", operation: "UPDATE", decision: "denied", rules: ["user.state"])
            try expectLine("identity", kind: "Identity", name: "github:alice", decision: "allowed", rules: nil)
            try expectLine("mutate", endpoint: "mutate", name: "dave", decision: "patched",
                           rules: ["user.password-deprecated", "user.state-consistency"])

            // The rejected requests leave their own line each.
            let rejected = server.logs.events("rejected admission request")
            #expect(rejected.map { $0["status"] } == ["415", "400"])

            // Every line is JSON, and none carries the password sent.
            #expect(server.logs.lines.allSatisfy { (try? JSONReader.parse($0)) != nil })
            #expect(!server.logs.lines.contains { $0.contains("hunter2") })
        }
    }
}

extension JSONValue {
    /// The object's members sorted by key, to compare objects whose member order does not matter.
    var sortedMembers: [String: JSONValue] {
        Dictionary(objectValue?.members.map { ($0.key, $0.value) } ?? [], uniquingKeysWith: { _, last in last })
    }
}
