import KubeJSON

/// `identity.name`: OpenShift's naming rules for identities (oauth-apiserver `ValidateIdentity`).
///
/// `metadata.name` is `providerName:providerUserName`; names are URL path segments (no `.`, `..`, `/`, `%`),
/// provider names hold no `:`, user names are not `~`; identities are cluster-scoped.
public struct IdentityNameRule: Rule {
    public let id: RuleID = "identity.name"
    public let kind = ResourceKind.identity
    public let defaultEnforcement = Enforcement.deny
    public let summary = "metadata.name is providerName:providerUserName; OpenShift's path-segment name rules."

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] {
        var violations: [Violation] = []
        let object = subject.object
        if let namespaceViolation = ClusterScope.namespaceViolation(of: object, rule: id) {
            violations.append(namespaceViolation)
        }
        let providerName = nonEmptyString(object["providerName"])
        let providerUserName = nonEmptyString(object["providerUserName"])
        if let providerName {
            check(providerName, PathSegmentName.providerNameProblems, at: FieldPath("providerName"), into: &violations)
        }
        if let providerUserName {
            check(providerUserName, PathSegmentName.userNameProblems, at: FieldPath("providerUserName"),
                  into: &violations)
        }
        if let userName = nonEmptyString(object["user"]?["name"]) {
            check(userName, PathSegmentName.userNameProblems, at: FieldPath("user", "name"), into: &violations)
        }
        if let providerName, let providerUserName {
            let expected = providerName + ":" + providerUserName
            if subject.name != expected {
                violations.append(violation(FieldPath("metadata", "name"), .invalid, .string(subject.name),
                                            "must be \(expected)"))
            }
        }
        return violations
    }

    private func nonEmptyString(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }

    private func check(
        _ name: String,
        _ problems: (String) -> [String],
        at path: FieldPath,
        into violations: inout [Violation]
    ) {
        let reasons = problems(name)
        guard !reasons.isEmpty else { return }
        violations.append(violation(path, .invalid, .string(name), reasons.joined(separator: ", ")))
    }
}
