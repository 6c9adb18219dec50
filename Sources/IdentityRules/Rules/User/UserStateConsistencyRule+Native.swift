extension UserStateConsistencyRule: NativeRule {
    /// Validating: when `state` is a string and `is_disabled` a boolean, they agree. Mutating: a string `state`
    /// with `is_disabled` absent or null fills `is_disabled`; `is_disabled: true` with `state` absent or null
    /// fills `state: disabled`; anything else is left as is (the webhook's `mutate`, case for case).
    public var nativeForm: NativeForm {
        let spec = "variables.spec"
        let both = "\(NativeCEL.isString(spec, "state")) && has(\(spec).is_disabled)"
            + " && type(\(spec).is_disabled) == bool"
        let patch = "\(NativeCEL.isString(spec, "state")) && !(\(NativeCEL.present(spec, "is_disabled")))"
            + " ? [JSONPatch{op: 'add', path: '/spec/is_disabled', value: \(spec).state == 'disabled'}]"
            + " : !(\(NativeCEL.present(spec, "state"))) && has(\(spec).is_disabled) && \(spec).is_disabled == true"
            + " ? [JSONPatch{op: 'add', path: '/spec/state', value: 'disabled'}] : []"
        return .policy(NativePolicy(
            variables: NativeCEL.userVariables,
            validations: [
                NativeValidation(
                    "!(\(both)) || \(spec).is_disabled == (\(spec).state == 'disabled')",
                    message: "\(id.rawValue): spec.is_disabled: Invalid value: "
                        + "must be true exactly when spec.state is \"disabled\"",
                    messageExpression: NativeCEL.literal("\(id.rawValue): spec.is_disabled: Invalid value: ")
                        + " + string(\(spec).is_disabled) + ': must be ' + string(\(spec).state == 'disabled')"
                        + " + ' when spec.state is \"' + \(spec).state + '\"'"
                ),
            ],
            mutation: NativeMutation(
                variables: NativeCEL.userVariables,
                patchExpression: patch
            )
        ))
    }
}
