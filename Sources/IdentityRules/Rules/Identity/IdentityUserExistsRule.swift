import KubeJSON

/// `identity.user-exists`: `user.name` names a User identity-guard knows (the cluster cache, or the files
/// checked together). Off by default: Users are often created after their identities.
public struct IdentityUserExistsRule: Rule {
    public let id: RuleID = "identity.user-exists"
    public let kind = ResourceKind.identity
    public let defaultEnforcement = Enforcement.off
    public let summary = "user.name names a known User (off by default: Users often come after identities)."

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] {
        guard let name = subject.object["user"]?["name"]?.stringValue, !name.isEmpty,
            !subject.emailIndex.containsUser(named: name)
        else { return [] }
        return [violation(FieldPath("user", "name"), .invalid, .string(name),
                          "no User named \(GoQuote.quote(name)) exists")]
    }
}
