import KubeJSON

/// `user.email-unique`: no two Users share an email, compared trimmed and case-insensitively.
///
/// The other Users come from an ``EmailIndex``: the cluster cache in the webhook, the files checked together
/// offline. A User never clashes with itself, so an UPDATE keeping its own email is fine. When the index knows
/// where the others were seen (files, a cluster), the message names those places.
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
        let others = subject.emailIndex.holders(ofNormalizedEmail: normalized, besides: subject.name)
        guard !others.isEmpty else { return [] }
        let names = Array(Set(others.map(\.name))).sorted().map(GoQuote.quote)
        let owner = names.count == 1 ? "User \(names[0])" : "Users \(names.joined(separator: ", "))"
        var detail = "already used by \(owner)"
        let places = Self.places(of: others)
        if !places.isEmpty { detail += " (\(places.joined(separator: ", ")))" }
        return [violation(FieldPath("spec", "email"), .duplicate, .string(email), detail)]
    }

    /// The files of the other holders, by name and position, then `cluster` once.
    private static func places(of holders: [EmailHolder]) -> [String] {
        var files: [(name: String, origin: EmailHolder.Origin)] = []
        var inCluster = false
        for holder in holders {
            guard let origin = holder.origin else { continue }
            if origin == .cluster { inCluster = true } else { files.append((holder.name, origin)) }
        }
        files.sort { ($0.name, $0.origin) < ($1.name, $1.origin) }
        return files.map(\.origin.description) + (inCluster ? ["cluster"] : [])
    }
}
