extension UserPasswordDeprecatedRule: NativeRule {
    /// Validating: a field present (even null) is reported, by name only. Mutating: each present field is
    /// removed by a JSON Patch, so that nothing is left for the validation to see, as with the webhooks. A
    /// MutatingAdmissionPolicy can add neither a warning nor an audit annotation; the ValidatingAdmissionPolicy's
    /// `scrubbed-fields` annotation only fires when a password got past the mutation.
    public var nativeForm: NativeForm {
        let present = "\(NativeCEL.list(Self.fields)).filter(f, f in variables.spec)"
        let words = "Forbidden: deprecated: plain-text passwords must not be stored"
        return .policy(NativePolicy(
            variables: NativeCEL.userVariables,
            validations: [
                NativeValidation(
                    "size(\(present)) == 0",
                    message: "\(id.rawValue): spec.password: \(words)",
                    messageExpression: NativeCEL.literal("\(id.rawValue): ") + " + \(present).map(f, 'spec.' + f + "
                        + NativeCEL.literal(": \(words)") + ").join(', ')"
                ),
            ],
            auditAnnotations: [
                NativeAuditAnnotation(
                    key: "scrubbed-fields",
                    valueExpression: "\(present).map(f, 'spec.' + f).join(',')"
                ),
            ],
            mutation: NativeMutation(
                variables: NativeCEL.userVariables,
                patchExpression: "\(present).map(f, JSONPatch{op: 'remove', path: '/spec/' + f})"
            )
        ))
    }
}
