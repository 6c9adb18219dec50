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
    /// Reserves the email of an allowed User CREATE/UPDATE (the cluster cache); nil reserves nothing.
    public let emailClaims: (any EmailClaiming)?

    public init(
        engine: RuleEngine = RuleEngine(),
        emailIndex: any EmailIndex = InMemoryEmailIndex(),
        emailClaims: (any EmailClaiming)? = nil
    ) {
        self.engine = engine
        self.emailIndex = emailIndex
        self.emailClaims = emailClaims
    }

    public func review(_ request: AdmissionRequest, as webhook: WebhookType) -> AdmissionOutcome {
        let requestName = request.name ?? ""
        guard let operation = request.operation else {
            return errored(request, name: requestName, "request.operation \(GoQuote.quote(request.operationName)) "
                + "is not one of CREATE, UPDATE, DELETE, CONNECT")
        }
        guard let kind = request.resourceKind else {
            return AdmissionOutcome(response: AdmissionResponse(for: request), decision: .skipped, kind: nil,
                                    name: requestName, dryRun: request.dryRun)
        }
        guard operation == .create || operation == .update else {
            return AdmissionOutcome(response: AdmissionResponse(for: request), decision: .allowed, kind: kind,
                                    name: requestName, dryRun: request.dryRun)
        }
        guard let object = request.object?.objectValue else {
            let problem = request.object == nil ? "is missing" : "is not an object"
            return errored(request, kind: kind, name: requestName,
                           "request.object \(problem); \(operation.rawValue) of \(kind.withArticle) needs the object")
        }
        var oldObject: JSONObject?
        if operation == .update {
            guard let old = request.oldObject?.objectValue else {
                return errored(request, kind: kind, name: requestName,
                               "request.oldObject is missing or not an object; UPDATE of \(kind.withArticle) needs it")
            }
            oldObject = old
        }
        let subject = RuleSubject(kind: kind, operation: operation, object: object, oldObject: oldObject,
                                  subresource: request.subResource, name: request.name, emailIndex: emailIndex)
        switch webhook {
        case .validating: return validate(subject, request: request)
        case .mutating: return mutate(subject, request: request)
        }
    }

    private func validate(_ subject: RuleSubject, request: AdmissionRequest, isRetry: Bool = false) -> AdmissionOutcome {
        let evaluation = engine.validate(subject)
        let warnings = evaluation.warnings.map(\.message)
        let ruleIDs = uniqueRuleIDs(evaluation.findings.map(\.violation.ruleID))
        let denials = evaluation.denials
        if !denials.isEmpty {
            let response = AdmissionResponse(for: request)
                .denied(kind: subject.kind, name: subject.name, violations: denials)
                .warning(warnings)
            return AdmissionOutcome(response: response, decision: .denied, kind: subject.kind, name: subject.name,
                                    ruleIDs: ruleIDs, dryRun: request.dryRun)
        }
        var claim = emailClaim(for: subject, dryRun: request.dryRun)
        if let wanted = claim, let emailClaims, !emailClaims.claim(wanted) {
            // Another request reserved this email between our look and our claim: look again, now seeing it
            // (denied when user.email-unique denies; otherwise allowed without a reservation).
            if !isRetry { return validate(subject, request: request, isRetry: true) }
            claim = nil
        }
        return AdmissionOutcome(
            response: AdmissionResponse(for: request).warning(warnings),
            decision: warnings.isEmpty ? .allowed : .warned,
            kind: subject.kind,
            name: subject.name,
            ruleIDs: ruleIDs,
            dryRun: request.dryRun,
            emailClaim: claim
        )
    }

    private func mutate(_ subject: RuleSubject, request: AdmissionRequest) -> AdmissionOutcome {
        let result = engine.mutate(subject)
        var response = AdmissionResponse(for: request)
        guard result.changed else {
            return AdmissionOutcome(response: response, decision: .allowed, kind: subject.kind, name: subject.name,
                                    dryRun: request.dryRun)
        }
        response = response
            .patched(JSONPatch.diff(from: .object(result.original), to: .object(result.mutated)))
            .warning(result.mutations.compactMap(\.warning))
        response.auditAnnotations = result.mutations.flatMap(\.auditAnnotations)
        return AdmissionOutcome(response: response, decision: .patched, kind: subject.kind, name: subject.name,
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

    private func errored(_ request: AdmissionRequest, kind: ResourceKind? = nil, name: String, _ message: String)
        -> AdmissionOutcome
    {
        AdmissionOutcome(response: AdmissionResponse(for: request).errored(message: message), decision: .errored, kind: kind,
                         name: name, dryRun: request.dryRun)
    }

    private func uniqueRuleIDs(_ ids: [RuleID]) -> [RuleID] {
        var unique: [RuleID] = []
        for id in ids where !unique.contains(id) { unique.append(id) }
        return unique
    }
}
