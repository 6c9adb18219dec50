extension UserSchemaRule: NativeRule {
    /// The seed's fields and types as type tests on `dyn` values, `continuity_errors` not negative, no namespace.
    /// Duplicate JSON keys are the one part CEL cannot see, and need not: the apiserver decodes and re-encodes
    /// every object, so duplicates never reach admission (webhook or policy); `check` reports them in files.
    public var nativeForm: NativeForm {
        let count = "variables.spec.continuity_errors"
        let negative = "\(id.rawValue): spec.continuity_errors: Invalid value: must be greater than or equal to 0"
        return .policy(NativePolicy(
            variables: NativeCEL.userVariables,
            validations: NativeCEL.schemaValidations(Self.objectSchema, "variables.o", path: "", rule: id)
                + [
                    NativeValidation(
                        "!has(\(count)) || !(type(\(count)) == int || type(\(count)) == double) || \(count) >= 0",
                        message: negative,
                        messageExpression: NativeCEL.literal(id.rawValue + ": spec.continuity_errors: Invalid value: ")
                            + " + string(\(count)) + ': must be greater than or equal to 0'"
                    ),
                    NativeCEL.clusterScopeValidation(rule: id),
                ]
        ))
    }
}
