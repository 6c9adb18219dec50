/// The name rules OpenShift's oauth-apiserver applies to identities (`ValidateIdentity`), word for word.
///
/// `ValidatePathSegmentName` forbids `.`, `..`, `/` and `%` because names become URL path segments;
/// provider names may not hold `:` (it separates provider and user in an Identity's name), and user names may
/// not be `~` either.
public enum PathSegmentName {
    /// apimachinery's `IsValidPathSegmentName` reasons.
    public static func problems(_ name: String) -> [String] {
        for illegal in [".", ".."] where name == illegal {
            return ["may not be '\(illegal)'"]
        }
        var reasons: [String] = []
        for illegal in ["/", "%"] where name.contains(illegal) {
            reasons.append("may not contain '\(illegal)'")
        }
        return reasons
    }

    /// OpenShift's `ValidateIdentityProviderName`.
    public static func providerNameProblems(_ name: String) -> [String] {
        let reasons = problems(name)
        if !reasons.isEmpty { return reasons }
        if name.contains(":") { return [#"may not contain ":""#] }
        return []
    }

    /// OpenShift's `ValidateUserName`, which also governs `providerUserName`.
    public static func userNameProblems(_ name: String) -> [String] {
        let reasons = problems(name)
        if !reasons.isEmpty { return reasons }
        if name.contains(":") { return [#"may not contain ":""#] }
        if name == "~" { return [#"may not equal "~""#] }
        return []
    }
}
