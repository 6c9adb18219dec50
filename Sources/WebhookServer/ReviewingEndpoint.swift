import Admission
import IdentityRules
import Logging
import NIOCore
import NIOPosix

/// `POST /validate` and `POST /mutate` once the transport has read the body: ``ReviewCodec`` evaluation,
/// then one log line and metrics per request.
///
/// A body the codec cannot read becomes a one-line 400 through ``RequestChecks``. Nothing here throws,
/// so no request can crash or stall the transport. An answer that needs no email arbitration is returned at
/// once (``EndpointReply/ready(_:)``): the hot path never leaves the connection's event loop. A body larger
/// than ``offLoopBodyBytes`` is reviewed on NIO's thread pool instead (``EndpointReply/pending(_:)``), so that
/// an object built to be expensive cannot hold the event loop its neighbours' connections share.
struct ReviewingEndpoint: AdmissionEndpoint {
    /// Bodies above this many bytes are reviewed off the event loop. The apiserver's own reviews are a few KB;
    /// a megabyte User costs tens of milliseconds even when every rule is linear.
    static let offLoopBodyBytes = 64 * 1024

    let codec: ReviewCodec
    let metrics: AdmissionMetrics
    let checks: RequestChecks
    /// The log line's handler when it is this server's own: the line is then written without swift-log's
    /// metadata dictionary.
    private let directLog: LineLogHandler?
    private let logger: Logger

    init(codec: ReviewCodec, metrics: AdmissionMetrics, checks: RequestChecks) {
        self.codec = codec
        self.metrics = metrics
        self.checks = checks
        logger = checks.logger
        directLog = logger.handler as? LineLogHandler
    }

    func respond(to body: ByteBuffer, webhook endpoint: WebhookType) -> EndpointReply {
        guard body.readableBytes > Self.offLoopBodyBytes else { return review(body, endpoint: endpoint) }
        return .pending { [self] in
            let reply: EndpointReply
            do {
                reply = try await NIOThreadPool.singleton.runIfActive { review(body, endpoint: endpoint) }
            } catch {
                return checks.refuse(503, "the server is shutting down", endpoint: endpoint)
            }
            switch reply {
            case .ready(let answer): return answer
            case .pending(let work): return await work()
            }
        }
    }

    /// Decode, evaluate, encode: the answer at once, or the email claim to await.
    private func review(_ body: ByteBuffer, endpoint: WebhookType) -> EndpointReply {
        let start = ContinuousClock.now
        let answer: ReviewCodec.Answer
        do {
            answer = try codec.handle(body: body.readableBytesView, as: endpoint)
        } catch {
            return .ready(checks.refuse(400, error.reason, endpoint: endpoint))
        }
        guard codec.needsArbitration(answer) else {
            return .ready(finish(answer, endpoint: endpoint, start: start))
        }
        return .pending { [self] in
            finish(await codec.arbitrate(answer), endpoint: endpoint, start: start)
        }
    }

    private func finish(_ answer: ReviewCodec.Answer, endpoint: WebhookType, start: ContinuousClock.Instant)
        -> HTTPAnswer
    {
        let nanoseconds = TimeAmount(start.duration(to: .now)).nanoseconds
        metrics.recordAdmission(endpoint: endpoint, outcome: answer.outcome, operation: answer.request.operationName,
                                nanoseconds: nanoseconds)
        log(answer, endpoint: endpoint, nanoseconds: nanoseconds)
        return .json(ByteBuffer(bytes: answer.body))
    }

    /// One `admission` line at info: uid, endpoint, kind, name, operation, decision, rules, dry run, duration, and
    /// the exemptions that changed the outcome (`exempted`: `break-glass:user.state; installer:user.email`).
    private func log(_ answer: ReviewCodec.Answer, endpoint: WebhookType, nanoseconds: Int64) {
        guard logger.logLevel <= .info else { return }
        // The values alone: a closure capturing the answer, or its verdict, copied them whole on the way.
        let outcome = answer.outcome
        let (decision, dryRun, name, ruleIDs) = (outcome.decision.rawValue, outcome.dryRun, outcome.name,
                                                 outcome.ruleIDs)
        let exempted = outcome.exemptions.isEmpty ? nil : AppliedExemption.annotation(outcome.exemptions)
        let (kind, operation, uid) = (outcome.kind?.rawValue ?? answer.request.kind.kind,
                                      answer.request.operationName, answer.request.uid)
        // Sorted by key: the order LineLogHandler writes fields in.
        let addFields = { (line: inout LogLineFields) in
            line.add("decision", decision)
            if dryRun { line.add("dry_run", "true") }
            line.add("duration_us", String(nanoseconds / 1000))
            line.add("endpoint", endpoint.endpoint)
            if let exempted { line.add("exempted", exempted) }
            line.add("kind", kind)
            line.add("name", name)
            line.add("operation", operation)
            if !ruleIDs.isEmpty { line.add("rules", list: ruleIDs.map(\.rawValue)) }
            line.add("uid", uid)
        }
        if let directLog {
            directLog.emit(level: .info, message: "admission", fields: addFields)
        } else {
            var line = LogLineFields(collecting: ())
            addFields(&line)
            logger.info("admission", metadata: Logger.Metadata(uniqueKeysWithValues: line.collected ?? []))
        }
    }
}
