/// Every rule identity-guard has, in the order they are documented and applied.
///
/// The one list the webhook, the offline checker, `identity-guard rules` and the configuration reader share,
/// so that a rule id means the same everywhere.
public enum RuleCatalog {
    public static let all: [any Rule] = [
        UserSchemaRule(),
        UserEmailRule(),
        UserEmailUniqueRule(),
        UserPasswordDeprecatedRule(),
        UserStateRule(),
        UserStateConsistencyRule(),
        UserFormatsRule(),
        UserNameHashRule(),
        IdentitySchemaRule(),
        IdentityRequiredRule(),
        IdentityNameRule(),
        IdentityImmutableRule(),
        IdentityUserExistsRule(),
    ]

    public static var ids: [RuleID] { all.map(\.id) }

    public static func rule(_ id: RuleID) -> (any Rule)? {
        all.first { $0.id == id }
    }
}
