/// `user.email-unique`: no two Users share an email, compared trimmed and case-insensitively.
///
/// The other Users come from an ``EmailIndex``: the cluster cache in the webhook, the files checked together
/// offline. A User never clashes with itself, so an UPDATE keeping its own email is fine.
public struct UserEmailUniqueRule: Rule {
    public let id: RuleID = "user.email-unique"
    public let kind = ResourceKind.user
    public let defaultEnforcement = Enforcement.deny
    public let summary = "No two Users share an email (trimmed, Unicode-aware case-insensitive)."

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] {
        guard let email = subject.spec?["email"]?.stringValue else { return [] }
        let normalized = EmailNormalizer.normalize(email)
        guard !normalized.isEmpty else { return [] }
        let others = subject.emailIndex.userNames(forNormalizedEmail: normalized)
            .filter { $0 != subject.name }
        guard !others.isEmpty else { return [] }
        let names = Array(Set(others)).sorted().map(GoQuote.quote)
        let owner = names.count == 1 ? "User \(names[0])" : "Users \(names.joined(separator: ", "))"
        return [violation(FieldPath("spec", "email"), .duplicate, .string(email), "already used by \(owner)")]
    }
}
