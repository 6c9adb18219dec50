import KubeJSON
/// `identity.immutable`: an Identity's provider and provider user never change (OpenShift's
/// `ValidateIdentityUpdate`); a different login is a different Identity.
public struct IdentityImmutableRule: Rule {
    public let id: RuleID = "identity.immutable"
    public let kind = ResourceKind.identity
    public let defaultEnforcement = Enforcement.deny
    public let summary = "On UPDATE, providerName and providerUserName do not change."

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] {
        guard subject.operation == .update, let old = subject.oldObject else { return [] }
        return ["providerName", "providerUserName"].compactMap { field in
            let new = subject.object[field] ?? .null
            guard new != (old[field] ?? .null) else { return nil }
            return violation(FieldPath(field), .invalid, BadValue(new), "may not change \(field)")
        }
    }
}
