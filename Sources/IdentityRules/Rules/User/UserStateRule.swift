import KubeJSON

/// `user.state`: `spec.state`, when set, is one of the four states the platform knows.
public struct UserStateRule: Rule {
    public let id: RuleID = "user.state"
    public let kind = ResourceKind.user
    public let defaultEnforcement = Enforcement.deny
    public let summary = "spec.state, when set, is active, disabled, locked or invalid."

    public static let supportedStates = ["active", "disabled", "locked", "invalid"]
    private static let supportedList = "supported values: "
        + supportedStates.map(GoQuote.quote).joined(separator: ", ")

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] {
        guard let state = subject.spec?["state"]?.stringValue,
            !Self.supportedStates.contains(state)
        else { return [] }
        return [violation(FieldPath("spec", "state"), .notSupported, .string(state), Self.supportedList)]
    }
}
