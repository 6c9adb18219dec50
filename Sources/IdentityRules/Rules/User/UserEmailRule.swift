import KubeJSON
/// `user.email`: every User has a usable email — the platform's unique identifier for the account.
public struct UserEmailRule: Rule {
    public let id: RuleID = "user.email"
    public let kind = ResourceKind.user
    public let defaultEnforcement = Enforcement.deny
    public let summary = "spec.email is set, at most 254 characters, no white space; with \"@\", a plausible address."

    public init() {}

    /// Made once: the rule runs on every User review and nearly always finds nothing to report.
    private static let path = FieldPath("spec", "email")

    public func validate(_ subject: RuleSubject) -> [Violation] {
        let path = Self.path
        let value = subject.spec?["email"]
        guard let value, !value.isNull else { return [violation(path, .required)] }
        guard let email = value.stringValue else { return [] }  // a type error is user.schema's
        if email.isEmpty { return [violation(path, .required)] }
        let length = email.utf8.count <= EmailAddress.maximumLength ? email.utf8.count : email.unicodeScalars.count
        if length > EmailAddress.maximumLength {
            return [violation(path, .tooLong, .omitted,
                              "may not be more than \(EmailAddress.maximumLength) characters")]
        }
        if let problem = EmailAddress.problem(in: email) {
            return [violation(path, .invalid, .string(email), problem)]
        }
        return []
    }
}
