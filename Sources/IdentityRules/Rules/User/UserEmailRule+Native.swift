extension UserEmailRule: NativeRule {
    /// White space or a character Go's `strconv.IsPrint` refuses (controls, format characters, separators).
    static let nativeBadCharacter = #"[\p{Z}\p{C}\x{85}]"#
    /// A domain label: letters (any script), decimal digits and marks, hyphens inside, at most 63 characters.
    static let nativeLabel = #"[\p{L}\p{Nd}\p{Mn}\p{Mc}](?:[\p{L}\p{Nd}\p{Mn}\p{Mc}-]{0,61}[\p{L}\p{Nd}\p{Mn}\p{Mc}])?"#

    /// Required, at most 254 characters, no white space; with `@`, 1–64 characters before the last `@` and a
    /// domain of labels after it. Characters are counted as CEL's `size()` counts them: code points, as the
    /// engine does.
    public var nativeForm: NativeForm {
        let email = "variables.spec.email"
        let isString = NativeCEL.isString("variables.spec", "email")
        let label = Self.nativeLabel
        let address = "^.{1,64}@" + label + #"(?:\."# + label + ")*$"
        func words(_ text: String) -> String { NativeCEL.literal("\(id.rawValue): spec.email: \(text)") }
        let invalid = "\(id.rawValue): spec.email: Invalid value: "
        return .policy(NativePolicy(
            variables: NativeCEL.userVariables,
            validations: [
                NativeValidation(
                    "has(\(email)) && \(email) != null && (type(\(email)) != string || \(email) != '')",
                    message: "\(id.rawValue): spec.email: Required value",
                    messageExpression: words("Required value")
                ),
                NativeValidation(
                    "!(\(isString)) || size(\(email)) <= \(EmailAddress.maximumLength)",
                    message: "\(id.rawValue): spec.email: Too long: may not be more than 254 characters",
                    messageExpression: words("Too long: may not be more than 254 characters")
                ),
                NativeValidation(
                    "!(\(isString)) || size(\(email)) > \(EmailAddress.maximumLength) || (!\(email).matches("
                        + NativeCEL.literal(Self.nativeBadCharacter) + ") && (!\(email).contains('@') || "
                        + "\(email).matches(" + NativeCEL.literal(address) + ")))",
                    message: invalid + "must be an email address or a username without white space",
                    messageExpression: NativeCEL.literal(invalid + "\"") + " + \(email) + "
                        + NativeCEL.literal("\": must not contain white space or control characters; with \"@\", "
                            + "1 to 64 characters before the last \"@\" and a domain of dot-separated labels")
                ),
            ]
        ))
    }
}
