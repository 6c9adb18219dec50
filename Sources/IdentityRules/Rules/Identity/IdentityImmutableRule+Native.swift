extension IdentityImmutableRule: NativeRule {
    /// On UPDATE, `providerName` and `providerUserName` equal the old object's (absent and null alike).
    public var nativeForm: NativeForm {
        let validations = ["providerName", "providerUserName"].map { field in
            let new = "(has(variables.o.\(field)) ? variables.o.\(field) : null)"
            let old = "(has(variables.old.\(field)) ? variables.old.\(field) : null)"
            let words = "\(id.rawValue): \(field): Invalid value: may not change \(field)"
            return NativeValidation("request.operation != 'UPDATE' || \(new) == \(old)", message: words,
                                    messageExpression: NativeCEL.literal(words))
        }
        return .policy(NativePolicy(
            variables: NativeCEL.identityVariables + [NativeVariable("old", "oldObject == null ? {} : dyn(oldObject)")],
            validations: validations
        ))
    }
}
