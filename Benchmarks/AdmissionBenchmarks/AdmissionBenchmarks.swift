import Admission
import Benchmark
import IdentityRules
import KubeJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The admission hot path, `ReviewCodec().handle(body:as:)` (decode → evaluate → encode), on the bodies
/// in ``Fixtures``, plus `JSONReader.parse` alone to show how much of it is decoding. The target is ≤ 10 µs
/// per review (p50 wall clock, one core).
///
/// Run with `Benchmarks/run.sh` (see Benchmarks/README.md).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 1_000,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    let handler = ReviewCodec()

    // Every body is loaded once, here, and checked to get the decision it is meant to get: a benchmark of
    // an answer nobody expects measures nothing.
    let userUpdate = Fixtures.userUpdate.checked(handler, as: .validating, expecting: .allowed)
    let userUpdateWithPassword = Fixtures.userUpdateWithPassword.checked(handler, as: .mutating, expecting: .patched)
    let identityCreate = Fixtures.identityCreate.checked(handler, as: .validating, expecting: .allowed)
    let userUpdateDenied = Fixtures.userUpdateDenied.checked(handler, as: .validating, expecting: .denied,
                                                             minimumCauses: 5)

    Benchmark("handle: User UPDATE /validate, allowed (2.4 KB)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try handler.handle(body: userUpdate, as: .validating))
        }
    }

    Benchmark("handle: User UPDATE /mutate, password patched (2.5 KB)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try handler.handle(body: userUpdateWithPassword, as: .mutating))
        }
    }

    Benchmark("handle: Identity CREATE /validate, allowed (1.1 KB)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try handler.handle(body: identityCreate, as: .validating))
        }
    }

    Benchmark("handle: User UPDATE /validate, denied, 7 causes (2.5 KB)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try handler.handle(body: userUpdateDenied, as: .validating))
        }
    }

    Benchmark("JSONReader.parse only: User UPDATE (2.4 KB)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONReader.parse(userUpdate, vocabulary: AdmissionVocabulary.shared))
        }
    }
}

/// One request body: indented JSON in the source, sent compact.
struct Fixture: Sendable {
    var name: String
    /// The size of the compact body, checked when it is made.
    var compactByteCount: Int
    var json: String

    /// The compact body: each line without its indentation, the lines joined without line breaks. (No value
    /// in the fixtures spans lines or starts a line with a meaningful space.)
    var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(json.utf8.count)
        for line in json.utf8.split(separator: UInt8(ascii: "\n")) {
            result.append(contentsOf: line.drop { $0 == UInt8(ascii: " ") })
        }
        precondition(result.count == compactByteCount,
                     "fixture \(name): \(result.count) bytes compact, expected \(compactByteCount)")
        return result
    }

    /// The compact body, after checking once that `handler` answers it with `expected`.
    func checked(
        _ handler: ReviewCodec,
        as webhook: WebhookType,
        expecting expected: ReviewVerdict.Decision,
        minimumCauses: Int = 0
    ) -> [UInt8] {
        let body = bytes
        let answer: ReviewCodec.Answer
        do {
            answer = try handler.handle(body: body, as: webhook)
        } catch {
            preconditionFailure("fixture \(name): \(error)")
        }
        let decision = answer.outcome.decision
        let causes = answer.outcome.response.status?.details?.causes.count ?? 0
        precondition(decision == expected, "fixture \(name) on \(webhook): \(decision), expected \(expected)")
        precondition(causes >= minimumCauses, "fixture \(name): \(causes) causes, expected at least \(minimumCauses)")
        if webhook == .mutating {
            precondition(answer.outcome.response.patch != nil, "fixture \(name): no patch")
        }
        // One line to standard error (never mixed with what the benchmark tool reads); the tool starts the
        // executable once per benchmark, so it appears a few times.
        let line = "checked \(name): \(body.count) B -> \(decision), \(causes) causes, answer \(answer.body.count) B\n"
        _ = Array(line.utf8).withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        return body
    }
}
