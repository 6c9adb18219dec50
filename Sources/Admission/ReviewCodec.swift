import IdentityRules
public import KubeJSON

/// Bytes in, bytes out: the whole admission hot path (decode → evaluate → encode) without any HTTP types.
///
/// The HTTPS server calls this for `/validate` and `/mutate`; the benchmark measures exactly this. A body that
/// is not an answerable AdmissionReview throws, and the server turns that into HTTP 400 with the reason.
public struct ReviewCodec: Sendable {
    public let reviewer: AdmissionReviewer
    public let maximumDepth: Int

    public init(reviewer: AdmissionReviewer = AdmissionReviewer(), maximumDepth: Int = JSONReader.defaultMaximumDepth) {
        self.reviewer = reviewer
        self.maximumDepth = maximumDepth
    }

    /// The answer to one request body.
    public struct Answer: Sendable {
        public var outcome: ReviewVerdict
        public var request: AdmissionRequest
        /// The encoded AdmissionReview to send with HTTP 200.
        public var body: [UInt8]
    }

    public func handle(body: some Collection<UInt8>, as webhook: WebhookType) throws(AdmissionDecodingError) -> Answer {
        let document: JSONValue
        do {
            document = try JSONReader.parse(body, maximumDepth: maximumDepth, skipping: AdmissionRequest.unusedMembers,
                                           vocabulary: AdmissionVocabulary.shared)
        } catch {
            throw AdmissionDecodingError(error.description)
        }
        let request = try AdmissionRequest(review: document)
        let outcome = reviewer.review(request, as: webhook)
        return Answer(outcome: outcome, request: request, body: outcome.response.encoded())
    }

    /// Whether `answer` allowed a new email that the cluster-wide arbiter must still confirm (see
    /// ``AdmissionReviewer/needsArbitration(_:)``); false on the fast path.
    public func needsArbitration(_ answer: Answer) -> Bool {
        reviewer.needsArbitration(answer.outcome)
    }

    /// `answer` once the arbiter has decided its email claim: unchanged when granted, else refused.
    public func arbitrate(_ answer: Answer) async -> Answer {
        let outcome = await reviewer.arbitrate(answer.request, outcome: answer.outcome)
        return Answer(outcome: outcome, request: answer.request, body: outcome.response.encoded())
    }
}
