extension IdentityRequiredRule: NativeRule {
    /// Absent, null and empty strings are missing; another type is identity.schema's to report.
    public var nativeForm: NativeForm {
        func given(_ base: String, _ field: String) -> String {
            "\(NativeCEL.present(base, field)) && (type(\(base).\(field)) != string || \(base).\(field) != '')"
        }
        func required(_ field: String, _ test: String, _ detail: String = "") -> NativeValidation {
            let words = "\(id.rawValue): \(field): Required value" + (detail.isEmpty ? "" : ": " + detail)
            return NativeValidation(test, message: words, messageExpression: NativeCEL.literal(words))
        }
        let object = "variables.o"
        let user = "\(object).user"
        let isUserMap = "\(NativeCEL.present(object, "user")) && type(\(user)) == map"
        return .policy(NativePolicy(
            variables: NativeCEL.identityVariables,
            validations: [
                required("providerName", given(object, "providerName")),
                required("providerUserName", given(object, "providerUserName")),
                required("user", NativeCEL.present(object, "user")),
                required("user.name", "!(\(isUserMap)) || \(given(user, "name")) || !(\(given(user, "uid")))",
                         "username is required when uid is provided"),
                required("user.uid", "!(\(isUserMap)) || \(given(user, "uid")) || !(\(given(user, "name")))",
                         "uid is required when username is provided"),
                required("user.name", "!(\(isUserMap)) || \(given(user, "name")) || \(given(user, "uid"))"),
            ]
        ))
    }
}
