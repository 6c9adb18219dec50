import KubeJSON

/// `identity.required`: an Identity names its provider, its user at the provider, and the User it maps to.
///
/// The seed says of `user`: "Both Name and UID must be set"; the messages are OpenShift's own.
public struct IdentityRequiredRule: Rule {
    public let id: RuleID = "identity.required"
    public let kind = ResourceKind.identity
    public let defaultEnforcement = Enforcement.deny
    public let summary = "providerName, providerUserName and user are set; user.name and user.uid both."

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] {
        var violations: [Violation] = []
        let object = subject.object
        for field in ["providerName", "providerUserName"] where Self.isMissing(object[field]) {
            violations.append(violation(FieldPath(field), .required))
        }
        guard let userValue = object["user"], !userValue.isNull else {
            violations.append(violation(FieldPath("user"), .required))
            return violations
        }
        guard let user = userValue.objectValue else { return violations }  // a type error is identity.schema's
        let nameMissing = Self.isMissing(user["name"])
        let uidMissing = Self.isMissing(user["uid"])
        switch (nameMissing, uidMissing) {
        case (true, true):
            violations.append(violation(FieldPath("user", "name"), .required))
            violations.append(violation(FieldPath("user", "uid"), .required))
        case (true, false):
            violations.append(violation(FieldPath("user", "name"), .required, .omitted,
                                        "username is required when uid is provided"))
        case (false, true):
            violations.append(violation(FieldPath("user", "uid"), .required, .omitted,
                                        "uid is required when username is provided"))
        case (false, false):
            break
        }
        return violations
    }

    /// Absent, null or an empty string; another type is identity.schema's to report.
    private static func isMissing(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: true
        case .string(let text)?: text.isEmpty
        default: false
        }
    }
}
