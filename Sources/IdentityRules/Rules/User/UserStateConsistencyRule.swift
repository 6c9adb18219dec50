public import KubeJSON

/// `user.state-consistency`: `spec.is_disabled` is true exactly when `spec.state` is `disabled`.
///
/// Validating, a contradiction is reported on `spec.is_disabled`. Mutating, when one of the pair is missing it
/// is filled from the other, so that the pair can never disagree later; the fill is idempotent.
public struct UserStateConsistencyRule: MutatingRule {
    public let id: RuleID = "user.state-consistency"
    public let kind = ResourceKind.user
    public let defaultEnforcement = Enforcement.deny
    public let summary = "spec.is_disabled is true exactly when spec.state is \"disabled\"; the missing one is filled."

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] {
        guard let spec = subject.spec, let state = spec["state"]?.stringValue,
            let isDisabled = spec["is_disabled"]?.boolValue
        else { return [] }
        let expected = state == "disabled"
        guard isDisabled != expected else { return [] }
        return [violation(FieldPath("spec", "is_disabled"), .invalid, .literal(String(isDisabled)),
                          "must be \(expected) when spec.state is \(GoQuote.quote(state))")]
    }

    public func mutate(_ object: inout JSONObject, subject: RuleSubject) -> Mutation? {
        guard var spec = object["spec"]?.objectValue else { return nil }
        let state = spec["state"]
        let isDisabled = spec["is_disabled"]
        switch (state, isDisabled) {
        case (.string(let state)?, nil), (.string(let state)?, .null?):
            spec["is_disabled"] = .bool(state == "disabled")
        case (nil, .bool(true)?), (.null?, .bool(true)?):
            spec["state"] = "disabled"
        default:
            return nil
        }
        object["spec"] = .object(spec)
        return Mutation(rule: id)
    }
}
