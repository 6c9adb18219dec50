public import IdentityRules

/// What the ``AdmissionReviewer`` decided about one request: the response, and what the server needs for logs,
/// metrics and email claims.
public struct ReviewVerdict: Sendable {
    /// What the webhook decided, for logs and metrics.
    public enum Decision: String, Sendable, Hashable {
        /// Allowed with nothing to say.
        case allowed
        /// Allowed with warnings.
        case warned
        /// Allowed with a patch (mutating webhook).
        case patched
        case denied
        /// Refused because the request itself was malformed (fail closed).
        case errored
        /// A kind identity-guard does not govern, allowed untouched.
        case skipped
    }

    public var response: AdmissionResponse
    public var decision: Decision
    public var kind: ResourceKind?
    public var name: String
    /// The ids of the rules that found something (denied, warned or mutated), exempted ones aside.
    public var ruleIDs: [RuleID]
    /// The exemptions that changed this outcome: a finding lifted (`/validate`) or a mutation not applied
    /// (`/mutate`). Logged, counted, and told in a warning and the `exempted` audit annotation.
    public var exemptions: [AppliedExemption] = []
    public var dryRun: Bool
    /// The email this admission claims (an allowed, non-dry-run User CREATE/UPDATE), if any.
    public var emailClaim: EmailClaim?
    /// Whether ``emailClaim`` still waits for the apiserver's decision (``AdmissionReviewer/arbitrate(_:outcome:)``),
    /// which the server then awaits off the event loop.
    public var awaitsEmailDecision = false

    public init(
        response: AdmissionResponse,
        decision: Decision,
        kind: ResourceKind?,
        name: String,
        ruleIDs: [RuleID] = [],
        dryRun: Bool = false,
        emailClaim: EmailClaim? = nil
    ) {
        self.response = response
        self.decision = decision
        self.kind = kind
        self.name = name
        self.ruleIDs = ruleIDs
        self.dryRun = dryRun
        self.emailClaim = emailClaim
    }
}
