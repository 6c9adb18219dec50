extension IdentitySchemaRule: NativeRule {
    /// Identity's fields and types as type tests on `dyn` values. Duplicate JSON keys never reach admission: the
    /// apiserver re-encodes every object.
    public var nativeForm: NativeForm {
        .policy(NativePolicy(
            variables: NativeCEL.identityVariables,
            validations: NativeCEL.schemaValidations(Self.objectSchema, "variables.o", path: "", rule: id)
        ))
    }
}
