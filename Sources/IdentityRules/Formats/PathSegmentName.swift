/// The name rules OpenShift's oauth-apiserver applies to identities (`ValidateIdentity`), word for word.
///
/// `ValidatePathSegmentName` forbids `.`, `..`, `/` and `%` because names become URL path segments;
/// provider names may not hold `:` (it separates provider and user in an Identity's name), and user names may
/// not be `~` either.
public enum PathSegmentName {
    /// apimachinery's `IsValidPathSegmentName` reasons.
    public static func problems(_ name: String) -> [String] {
        if name == "." { return ["may not be '.'"] }
        if name == ".." { return ["may not be '..'"] }
        var slash = false
        var percent = false
        for byte in name.utf8 {
            if byte == UInt8(ascii: "/") { slash = true } else if byte == UInt8(ascii: "%") { percent = true }
        }
        if !slash && !percent { return [] }
        var reasons: [String] = []
        if slash { reasons.append("may not contain '/'") }
        if percent { reasons.append("may not contain '%'") }
        return reasons
    }

    /// OpenShift's `ValidateIdentityProviderName`.
    public static func providerNameProblems(_ name: String) -> [String] {
        let reasons = problems(name)
        if !reasons.isEmpty { return reasons }
        if name.utf8.contains(UInt8(ascii: ":")) { return [#"may not contain ":""#] }
        return []
    }

    /// OpenShift's `ValidateUserName`, which also governs `providerUserName`.
    public static func userNameProblems(_ name: String) -> [String] {
        let reasons = problems(name)
        if !reasons.isEmpty { return reasons }
        if name.utf8.contains(UInt8(ascii: ":")) { return [#"may not contain ":""#] }
        if name == "~" { return [#"may not equal "~""#] }
        return []
    }
}
