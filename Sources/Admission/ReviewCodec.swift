import IdentityRules
public import KubeJSON

/// Stage 3 of the request path (docs/request-path.md): AdmissionReview bytes in, bytes out — decodes the
/// review, has the ``AdmissionReviewer`` decide, encodes the answer in the request's version — without any
/// HTTP types.
///
/// The HTTPS server calls this for `/validate` and `/mutate`; the benchmark measures exactly this. A body that
/// is not an answerable AdmissionReview throws, and the server turns that into HTTP 400 with the reason.
public struct ReviewCodec: Sendable {
    public let reviewer: AdmissionReviewer
    public let maximumDepth: Int
    /// What the reader checks without building: `userInfo` too, unless an exemption needs the requester.
    private let skipped: JSONSkipList

    public init(reviewer: AdmissionReviewer = AdmissionReviewer(), maximumDepth: Int = JSONReader.defaultMaximumDepth) {
        self.reviewer = reviewer
        self.maximumDepth = maximumDepth
        let needsRequester = reviewer.engine.configuration.exemptions.contains(where: \.needsRequester)
        skipped = JSONSkipList(AdmissionRequest.unusedMembers(readingUserInfo: needsRequester))
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
            document = try JSONReader.parse(body, maximumDepth: maximumDepth, skipping: skipped,
                                           vocabulary: AdmissionVocabulary.shared)
        } catch {
            throw AdmissionDecodingError(error.description)
        }
        let request = try AdmissionRequest(review: document)
        let outcome = reviewer.review(request, as: webhook)
        return Answer(outcome: outcome, request: request, body: outcome.response.encoded())
    }

    /// Whether `answer` allowed a new email that the apiserver must still decide (see
    /// ``AdmissionReviewer/needsArbitration(_:)``); false on the fast path.
    public func needsArbitration(_ answer: Answer) -> Bool {
        reviewer.needsArbitration(answer.outcome)
    }

    /// `answer` once the apiserver has decided its email claim: unchanged when granted, else refused.
    public func arbitrate(_ answer: Answer) async -> Answer {
        let outcome = await reviewer.arbitrate(answer.request, outcome: answer.outcome)
        return Answer(outcome: outcome, request: answer.request, body: outcome.response.encoded())
    }
}
