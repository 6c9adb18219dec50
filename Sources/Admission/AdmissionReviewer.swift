public import IdentityRules
import KubeJSON

/// Stage 4 of the request path (docs/request-path.md): evaluates one decoded AdmissionRequest with the rule
/// engine, per operation, for either webhook, and decides new emails through ``EmailClaims``.
///
/// controller-runtime's `Handler`: CREATE and UPDATE of a governed kind run the rules (UPDATE also sees
/// `oldObject`); DELETE and CONNECT, other kinds and unknown versions are allowed untouched; a request on the
/// `status` subresource skips the rules about `spec`. `/validate` denies with 403 and warns; `/mutate` always
/// allows and carries the diff of the mutated object as a JSON Patch. A request that cannot be evaluated is
/// refused with 400 — the webhook fails closed.
public struct AdmissionReviewer: Sendable {
    public let engine: RuleEngine
    public let emailIndex: any EmailIndex
    /// Decides the email of an allowed, non-dry-run User CREATE/UPDATE: this replica's reservations or Lease
    /// claims in the apiserver; nil claims nothing (the offline checks, tests).
    public let emailClaims: (any EmailClaims)?
    /// Whether `user.email-unique` is on: with it off no email is claimed (nothing would read the claim).
    private let claimsEmails: Bool

    public init(
        engine: RuleEngine = RuleEngine(),
        emailIndex: any EmailIndex = InMemoryEmailIndex(),
        emailClaims: (any EmailClaims)? = nil
    ) {
        self.engine = engine
        self.emailIndex = emailIndex
        self.emailClaims = emailClaims
        claimsEmails = emailClaims != nil
            && (engine.configuration.enforcement(for: UserEmailUniqueRule().id) ?? .deny) != .off
    }

    /// Whether `outcome` allowed a User to take an email that ``emailClaims`` could not decide at once: only
    /// then does ``arbitrate(_:outcome:)`` wait for the apiserver (no call for most UPDATEs, any Identity, dry
    /// runs, denials, this replica's reservations, or with `user.email-unique` off).
    public func needsArbitration(_ outcome: ReviewVerdict) -> Bool {
        outcome.awaitsEmailDecision
    }

    /// Waits for the decision on the email `outcome` claims. Granted: `outcome` stands. Held by another User:
    /// the request is evaluated again with that User holding the email, so it is refused (or warned) exactly like
    /// any duplicate. No decision to be had: refused — the webhook fails closed.
    public func arbitrate(_ request: AdmissionRequest, outcome: ReviewVerdict) async -> ReviewVerdict {
        guard outcome.awaitsEmailDecision, let emailClaims, let claim = outcome.emailClaim else { return outcome }
        let decision = await emailClaims.decide(claim)
        return settle(outcome, decision: decision, claim: claim, subject: nil, request: request)
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

        var subject: RuleSubject? {
            if case .subject(let subject) = self { return subject }
            return nil
        }
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
        var subject = RuleSubject(kind: kind, operation: operation, object: object, oldObject: oldObject,
                                  subresource: request.subResource, name: request.name, emailIndex: index)
        subject.requester = request.requester
        return .subject(subject)
    }

    private func outcome(allowing request: AdmissionRequest, kind: ResourceKind, name: String) -> ReviewVerdict {
        ReviewVerdict(response: AdmissionResponse(for: request), decision: .allowed, kind: kind, name: name,
                         dryRun: request.dryRun)
    }

    private func validate(_ subject: RuleSubject, request: AdmissionRequest, claiming: Bool = true)
        -> ReviewVerdict
    {
        let evaluation = engine.validate(subject, violationLimit: AnswerBounds.maximumCauses)
        let exemptions = evaluation.exemptions
        let warnings = evaluation.warnings.map(\.message) + Self.exemptionWarnings(exemptions)
        let ruleIDs = uniqueRuleIDs(evaluation.findings.filter { !$0.isExempted }.map(\.violation.ruleID))
        let denials = evaluation.denials
        if !denials.isEmpty {
            var response = AdmissionResponse(for: request)
                .denied(kind: subject.kind, name: subject.name, violations: denials,
                        omitted: evaluation.omittedDenials)
                .warning(warnings, omitted: evaluation.omittedWarningCount)
            response.auditAnnotations = Self.exemptionAnnotations(exemptions)
            var verdict = ReviewVerdict(response: response, decision: .denied, kind: subject.kind,
                                        name: subject.name, ruleIDs: ruleIDs, dryRun: request.dryRun)
            verdict.exemptions = exemptions
            return verdict
        }
        var response = AdmissionResponse(for: request).warning(warnings, omitted: evaluation.omittedWarningCount)
        response.auditAnnotations = Self.exemptionAnnotations(exemptions)
        var outcome = ReviewVerdict(
            response: response,
            decision: warnings.isEmpty ? .allowed : .warned,
            kind: subject.kind,
            name: subject.name,
            ruleIDs: ruleIDs,
            dryRun: request.dryRun,
            emailClaim: claiming ? emailClaim(for: subject, dryRun: request.dryRun) : nil
        )
        outcome.exemptions = exemptions
        guard claimsEmails, let emailClaims, let claim = outcome.emailClaim else { return outcome }
        guard let decision = emailClaims.decideAtOnce(claim) else {
            outcome.awaitsEmailDecision = true
            return outcome
        }
        // Granted, the usual case, leaves the outcome as it is: returned here, not copied through `settle`.
        if case .granted = decision { return outcome }
        return settle(outcome, decision: decision, claim: claim, subject: subject, request: request)
    }

    /// `outcome` once its email is decided: unchanged when granted; evaluated again, claiming nothing, with the
    /// holder holding the email when another User holds it; refused with 500 when no decision could be had.
    /// `subject` is the request's, when at hand (it is built again from `request` otherwise).
    private func settle(_ outcome: ReviewVerdict, decision: EmailDecision, claim: EmailClaim,
                        subject: RuleSubject?, request: AdmissionRequest) -> ReviewVerdict
    {
        switch decision {
        case .granted:
            var granted = outcome
            granted.awaitsEmailDecision = false
            return granted
        case .heldBy(let holder):
            // The request gave a subject a moment ago; should it not now, refuse rather than allow a lost claim.
            guard var again = subject ?? self.subject(of: request, index: emailIndex).subject else {
                return errored(request, kind: outcome.kind, name: outcome.name, code: 500,
                               "the email of User \(GoQuote.quote(claim.userName)) is held by User "
                                   + "\(GoQuote.quote(holder)), and the request cannot be evaluated again")
            }
            again.emailIndex = OverlayEmailIndex(base: emailIndex, normalizedEmail: claim.normalizedEmail,
                                                 holder: EmailHolder(name: holder))
            return validate(again, request: request, claiming: false)
        case .unavailable(let reason):
            return errored(request, kind: outcome.kind, name: outcome.name, code: 500,
                           "cannot confirm that the email of User \(GoQuote.quote(claim.userName)) is unique in "
                               + "the cluster: \(reason); refused, the webhook fails closed")
        }
    }

    private func mutate(_ subject: RuleSubject, request: AdmissionRequest) -> ReviewVerdict {
        let result = engine.mutate(subject)
        var response = AdmissionResponse(for: request)
        let exemptionWarnings = Self.exemptionWarnings(result.exemptions)
        guard result.changed else {
            response = response.warning(exemptionWarnings)
            response.auditAnnotations = Self.exemptionAnnotations(result.exemptions)
            var verdict = ReviewVerdict(response: response, decision: exemptionWarnings.isEmpty ? .allowed : .warned,
                                        kind: subject.kind, name: subject.name, dryRun: request.dryRun)
            verdict.exemptions = result.exemptions
            return verdict
        }
        response = response
            .patched(JSONPatch.diff(from: .object(result.original), to: .object(result.mutated)))
            .warning(result.mutations.compactMap(\.warning) + exemptionWarnings)
        response.auditAnnotations = result.mutations.flatMap(\.auditAnnotations)
            + Self.exemptionAnnotations(result.exemptions)
        var verdict = ReviewVerdict(response: response, decision: .patched, kind: subject.kind, name: subject.name,
                                    ruleIDs: uniqueRuleIDs(result.mutations.map(\.ruleID)), dryRun: request.dryRun)
        verdict.exemptions = result.exemptions
        return verdict
    }

    /// `exempted from user.state by "break-glass"`, one per exemption and rule.
    static func exemptionWarnings(_ exemptions: [AppliedExemption]) -> [String] {
        exemptions.flatMap { exemption in
            exemption.rules.map { "exempted from \($0.rawValue) by \(GoQuote.quote(exemption.name))" }
        }
    }

    /// One `exempted` annotation listing every exemption and its rules, or none.
    static func exemptionAnnotations(_ exemptions: [AppliedExemption]) -> [AuditAnnotation] {
        guard !exemptions.isEmpty else { return [] }
        return [AuditAnnotation(key: "exempted", value: AppliedExemption.annotation(exemptions))]
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
