public import IdentityRules
import KubeJSON

/// Evaluates one decoded AdmissionRequest with the rule engine, per operation, for either webhook.
///
/// controller-runtime's `Handler`: CREATE and UPDATE of a governed kind run the rules (UPDATE also sees
/// `oldObject`); DELETE and CONNECT, other kinds and unknown versions are allowed untouched; a request on the
/// `status` subresource skips the rules about `spec`. `/validate` denies with 403 and warns; `/mutate` always
/// allows and carries the diff of the mutated object as a JSON Patch. A request that cannot be evaluated is
/// refused with 400 — the webhook fails closed.
public struct AdmissionReviewer: Sendable {
    public let engine: RuleEngine
    public let emailIndex: any EmailIndex
    /// Reserves the email of an allowed User CREATE/UPDATE in this process (the cluster cache); nil reserves
    /// nothing.
    public let emailClaims: (any EmailClaiming)?
    /// Decides new emails for the whole cluster (Leases in the apiserver); nil trusts this process alone.
    public let emailArbiter: (any EmailArbiter)?

    public init(
        engine: RuleEngine = RuleEngine(),
        emailIndex: any EmailIndex = InMemoryEmailIndex(),
        emailClaims: (any EmailClaiming)? = nil,
        emailArbiter: (any EmailArbiter)? = nil
    ) {
        self.engine = engine
        self.emailIndex = emailIndex
        self.emailClaims = emailClaims
        self.emailArbiter = emailArbiter
    }

    /// Whether `outcome` allowed a User to take an email that the cluster does not yet show as that User's:
    /// only then does ``arbitrate(_:outcome:)`` ask the arbiter (no call for most UPDATEs, any Identity, dry
    /// runs, denials, or with `user.email-unique` off).
    public func needsArbitration(_ outcome: ReviewVerdict) -> Bool {
        guard let emailArbiter, let claim = outcome.emailClaim, outcome.response.allowed, !outcome.dryRun,
            (engine.configuration.enforcement(for: UserEmailUniqueRule().id) ?? .deny) != .off
        else { return false }
        return !emailArbiter.isSettled(claim)
    }

    /// Asks the arbiter for the email `outcome` claims. Granted: `outcome` stands. Held by another User: the
    /// request is evaluated again with that User holding the email, so it is refused (or warned) exactly like
    /// any duplicate. Arbiter unreachable: refused — the webhook fails closed.
    public func arbitrate(_ request: AdmissionRequest, outcome: ReviewVerdict) async -> ReviewVerdict {
        guard let emailArbiter, let claim = outcome.emailClaim else { return outcome }
        let arbitration = await emailArbiter.arbitrate(claim)
        if arbitration != .granted { emailClaims?.release(claim) }
        switch arbitration {
        case .granted:
            return outcome
        case .heldBy(let holder):
            let index = OverlayEmailIndex(base: emailIndex, normalizedEmail: claim.normalizedEmail,
                                          holder: EmailHolder(name: holder))
            // The request gave a subject a moment ago; should it not now, refuse rather than allow a lost claim.
            guard case .subject(let subject) = subject(of: request, index: index) else {
                return errored(request, kind: outcome.kind, name: outcome.name, code: 500,
                               "the email of User \(GoQuote.quote(claim.userName)) is held by User "
                                   + "\(GoQuote.quote(holder)), and the request cannot be evaluated again")
            }
            var decided = validate(subject, request: request, claiming: false)
            decided.emailClaim = nil
            return decided
        case .unavailable(let reason):
            return errored(request, kind: outcome.kind, name: outcome.name, code: 500,
                           "cannot confirm that the email of User \(GoQuote.quote(claim.userName)) is unique in "
                               + "the cluster: \(reason); refused, the webhook fails closed")
        }
    }

    public func review(_ request: AdmissionRequest, as webhook: WebhookType) -> ReviewVerdict {
        let requestName = request.name ?? ""
        guard request.operation != nil else {
            return errored(request, name: requestName, "request.operation \(GoQuote.quote(request.operationName)) "
                + "is not one of CREATE, UPDATE, DELETE, CONNECT")
        }
        guard let kind = request.resourceKind else {
            return ReviewVerdict(response: AdmissionResponse(for: request), decision: .skipped, kind: nil,
                                    name: requestName, dryRun: request.dryRun)
        }
        let subject: RuleSubject
        switch self.subject(of: request, index: emailIndex) {
        case .subject(let built): subject = built
        case .unusable(let message): return errored(request, kind: kind, name: requestName, message)
        case .notEvaluated: return outcome(allowing: request, kind: kind, name: requestName)
        }
        switch webhook {
        case .validating: return validate(subject, request: request)
        case .mutating: return mutate(subject, request: request)
        }
    }

    /// What a request's rules look at, or why there is nothing to evaluate.
    private enum SubjectOrReason {
        case subject(RuleSubject)
        case unusable(String)
        case notEvaluated
    }

    private func subject(of request: AdmissionRequest, index: any EmailIndex) -> SubjectOrReason {
        guard let operation = request.operation, let kind = request.resourceKind,
            operation == .create || operation == .update
        else { return .notEvaluated }
        guard let object = request.object?.objectValue else {
            let problem = request.object == nil ? "is missing" : "is not an object"
            return .unusable("request.object \(problem); \(operation.rawValue) of \(kind.withArticle) needs the object")
        }
        var oldObject: JSONObject?
        if operation == .update {
            guard let old = request.oldObject?.objectValue else {
                return .unusable(
                    "request.oldObject is missing or not an object; UPDATE of \(kind.withArticle) needs it")
            }
            oldObject = old
        }
        return .subject(RuleSubject(kind: kind, operation: operation, object: object, oldObject: oldObject,
                                    subresource: request.subResource, name: request.name, emailIndex: index))
    }

    private func outcome(allowing request: AdmissionRequest, kind: ResourceKind, name: String) -> ReviewVerdict {
        ReviewVerdict(response: AdmissionResponse(for: request), decision: .allowed, kind: kind, name: name,
                         dryRun: request.dryRun)
    }

    private func validate(_ subject: RuleSubject, request: AdmissionRequest, claiming: Bool = true,
                          isRetry: Bool = false) -> ReviewVerdict
    {
        let evaluation = engine.validate(subject)
        let warnings = evaluation.warnings.map(\.message)
        let ruleIDs = uniqueRuleIDs(evaluation.findings.map(\.violation.ruleID))
        let denials = evaluation.denials
        if !denials.isEmpty {
            let response = AdmissionResponse(for: request)
                .denied(kind: subject.kind, name: subject.name, violations: denials)
                .warning(warnings)
            return ReviewVerdict(response: response, decision: .denied, kind: subject.kind, name: subject.name,
                                    ruleIDs: ruleIDs, dryRun: request.dryRun)
        }
        var claim = emailClaim(for: subject, dryRun: request.dryRun)
        if claiming, let wanted = claim, let emailClaims, !emailClaims.claim(wanted) {
            // Another request reserved this email between our look and our claim: look again, now seeing it
            // (denied when user.email-unique denies; otherwise allowed without a reservation).
            if !isRetry { return validate(subject, request: request, claiming: claiming, isRetry: true) }
            claim = nil
        }
        return ReviewVerdict(
            response: AdmissionResponse(for: request).warning(warnings),
            decision: warnings.isEmpty ? .allowed : .warned,
            kind: subject.kind,
            name: subject.name,
            ruleIDs: ruleIDs,
            dryRun: request.dryRun,
            emailClaim: claim
        )
    }

    private func mutate(_ subject: RuleSubject, request: AdmissionRequest) -> ReviewVerdict {
        let result = engine.mutate(subject)
        var response = AdmissionResponse(for: request)
        guard result.changed else {
            return ReviewVerdict(response: response, decision: .allowed, kind: subject.kind, name: subject.name,
                                    dryRun: request.dryRun)
        }
        response = response
            .patched(JSONPatch.diff(from: .object(result.original), to: .object(result.mutated)))
            .warning(result.mutations.compactMap(\.warning))
        response.auditAnnotations = result.mutations.flatMap(\.auditAnnotations)
        return ReviewVerdict(response: response, decision: .patched, kind: subject.kind, name: subject.name,
                                ruleIDs: uniqueRuleIDs(result.mutations.map(\.ruleID)), dryRun: request.dryRun)
    }

    /// The email an allowed User CREATE/UPDATE claims, unless it is a dry run.
    private func emailClaim(for subject: RuleSubject, dryRun: Bool) -> EmailClaim? {
        guard !dryRun, subject.kind == .user, subject.subresource == nil, !subject.name.isEmpty,
            let email = subject.spec?["email"]?.stringValue
        else { return nil }
        let normalized = EmailNormalizer.normalize(email)
        guard !normalized.isEmpty else { return nil }
        return EmailClaim(userName: subject.name, normalizedEmail: normalized)
    }

    private func errored(_ request: AdmissionRequest, kind: ResourceKind? = nil, name: String, code: Int = 400,
                         _ message: String) -> ReviewVerdict
    {
        ReviewVerdict(response: AdmissionResponse(for: request).errored(code: code, message: message),
                         decision: .errored, kind: kind, name: name, dryRun: request.dryRun)
    }

    private func uniqueRuleIDs(_ ids: [RuleID]) -> [RuleID] {
        var unique: [RuleID] = []
        for id in ids where !unique.contains(id) { unique.append(id) }
        return unique
    }
}
