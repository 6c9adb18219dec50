// What an email claim costs: admissions through ReviewCodec (decode → rules → encode), with and without a
// Lease claim in a real kube-apiserver (envtest), and the same non-claiming admission without any arbiter.
// Built only on request; needs KUBEBUILDER_ASSETS and kubectl (to render deploy/'s CRD):
//
//   IDENTITY_GUARD_BENCHMARKS=1 swift run -c release claim-latency [COUNT]
import Admission
import ClusterCache
import Foundation
import IdentityGuardTesting
import IdentityRules
import KubeJSON
import NIOSSL

/// Percentiles of a list of durations, in microseconds.
func summary(_ label: String, _ samples: [Duration]) -> String {
    let micros = samples.map { Double($0.components.attoseconds) / 1e12 + Double($0.components.seconds) * 1e6 }.sorted()
    func at(_ q: Double) -> String {
        String(format: "%.1f", micros[min(micros.count - 1, Int(Double(micros.count) * q))])
    }
    return "\(label.padding(toLength: 46, withPad: " ", startingAt: 0)) n=\(micros.count)  p50 \(at(0.5)) µs  "
        + "p90 \(at(0.9)) µs  p99 \(at(0.99)) µs"
}

let count = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 500
let plane = try await EnvtestControlPlane.start()
do {
    let deploy = try Repository.kustomize("deploy")
    try await plane.installCRD(try Repository.object(deploy, kind: "CustomResourceDefinition"))
    try await plane.create("/api/v1/namespaces", ["metadata": ["name": "identity-guard"]])
    try await plane.create("/apis/auth.alauda.io/v1/users", Review.user("stored", ["email": "stored@example.com"]))
    let credentials = try plane.credentials()
    let cache = try RunningCache(credentials: credentials)
    guard await cache.synced(within: .seconds(30)) else { throw TestFailure("the cache did not sync") }
    let client = try KubernetesClient(credentials: credentials)
    let claims = LeaseEmailClaims(client: client, namespace: "identity-guard", index: cache.index, logger: quietLogger)
    let withLeases = ReviewCodec(reviewer: AdmissionReviewer(emailIndex: cache.index, emailArbiter: claims))
    let local = ReviewCodec(reviewer: AdmissionReviewer(emailIndex: cache.index, emailClaims: cache.index))

    func measure(_ handler: ReviewCodec, _ bodies: [[UInt8]]) async throws -> [Duration] {
        var samples: [Duration] = []
        for body in bodies {
            let start = ContinuousClock.now
            var answer = try handler.handle(body: body, as: .validating)
            if handler.needsArbitration(answer) { answer = await handler.arbitrate(answer) }
            samples.append(start.duration(to: .now))
            guard answer.outcome.response.allowed else { throw TestFailure("not allowed: \(answer.outcome.decision)") }
        }
        return samples
    }
    let update = Review.userEmail(name: "stored", email: "stored@example.com", operation: "UPDATE")
    _ = try await measure(withLeases, Array(repeating: update, count: 1_000))  // warm-up
    let claiming = try await measure(withLeases, (0..<count).map {
        Review.userEmail(name: "new-\($0)", email: "new-\($0)@example.com")
    })
    // Alternated in blocks, so that both see the same machine (other work on it drifts over seconds).
    var settledWithLeases: [Duration] = []
    var settledLocal: [Duration] = []
    for _ in 0..<10 {
        settledWithLeases += try await measure(withLeases, Array(repeating: update, count: count))
        settledLocal += try await measure(local, Array(repeating: update, count: count))
    }
    print(summary("CREATE, new email: Lease claim (201)", claiming))
    print(summary("UPDATE keeping its email, --claims lease", settledWithLeases))
    print(summary("UPDATE keeping its email, --claims local", settledLocal))
    await client.shutdown()
    await cache.stop()
} catch {
    print("claim-latency failed: \(error)\n\(plane.logTail())")
}
await plane.stop()
