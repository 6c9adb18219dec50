extension IdentityNameRule: NativeRule {
    /// OpenShift's `ValidateIdentity` name rules on the strings that are set and not empty.
    public var nativeForm: NativeForm {
        let object = "variables.o"
        func nonEmpty(_ value: String, _ field: String) -> String {
            "\(NativeCEL.isString(value, field)) && \(value).\(field) != ''"
        }
        func segment(_ value: String, userName: Bool) -> String {
            "!(\(value) in ['.', '..'] || \(value).contains('/') || \(value).contains('%') || \(value).contains(':')"
                + (userName ? " || \(value) == '~')" : ")")
        }
        func check(_ field: String, _ base: String, _ key: String, userName: Bool, _ reasons: String)
            -> NativeValidation
        {
            let value = "\(base).\(key)"
            let words = "\(id.rawValue): \(field): Invalid value: "
            return NativeValidation(
                "!(\(nonEmpty(base, key))) || \(segment(value, userName: userName))",
                message: words + reasons,
                messageExpression: NativeCEL.literal(words + "\"") + " + \(value) + "
                    + NativeCEL.literal("\": " + reasons)
            )
        }
        let pathReasons = "may not be '.' or '..', may not contain '/', '%' or ':'"
        let user = "\(object).user"
        let isUserMap = "\(NativeCEL.present(object, "user")) && type(\(user)) == map"
        let expected = "\(object).providerName + ':' + \(object).providerUserName"
        let name = "(has(\(object).metadata) && type(\(object).metadata) == map && has(\(object).metadata.name)"
            + " ? \(object).metadata.name : '')"
        var userName = check("user.name", user, "name", userName: true, pathReasons + ", may not equal \"~\"")
        userName.expression = "!(\(isUserMap)) || " + userName.expression
        return .policy(NativePolicy(
            variables: NativeCEL.identityVariables,
            validations: [
                NativeCEL.clusterScopeValidation(rule: id),
                check("providerName", object, "providerName", userName: false, pathReasons),
                check("providerUserName", object, "providerUserName", userName: true,
                      pathReasons + ", may not equal \"~\""),
                userName,
                NativeValidation(
                    "!(\(nonEmpty(object, "providerName")) && \(nonEmpty(object, "providerUserName")))"
                        + " || \(name) == \(expected)",
                    message: "\(id.rawValue): metadata.name: Invalid value: must be providerName:providerUserName",
                    messageExpression: NativeCEL.literal("\(id.rawValue): metadata.name: Invalid value: \"")
                        + " + string(\(name)) + '\": must be ' + \(expected)"
                ),
            ]
        ))
    }
}
