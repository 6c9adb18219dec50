public import IdentityRules

/// A reviewed request: the response, and what the server needs for logs, metrics and email reservations.
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
    /// The ids of the rules that found something (denied, warned or mutated).
    public var ruleIDs: [RuleID]
    public var dryRun: Bool
    /// The email this admission claimed (an allowed, non-dry-run User CREATE/UPDATE with a claimer), if any.
    public var emailClaim: EmailClaim?

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
