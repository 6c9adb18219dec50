extension UserStateRule: NativeRule {
    public var nativeForm: NativeForm {
        let state = "variables.spec.state"
        let supported = Self.supportedStates.map { "\"\($0)\"" }.joined(separator: ", ")
        return .policy(NativePolicy(
            variables: NativeCEL.userVariables,
            validations: [
                NativeValidation(
                    "!(\(NativeCEL.isString("variables.spec", "state"))) || \(state) in "
                        + NativeCEL.list(Self.supportedStates),
                    message: "\(id.rawValue): spec.state: Unsupported value: supported values: \(supported)",
                    messageExpression: NativeCEL.literal("\(id.rawValue): spec.state: Unsupported value: \"")
                        + " + \(state) + " + NativeCEL.literal("\": supported values: \(supported)")
                ),
            ]
        ))
    }
}
