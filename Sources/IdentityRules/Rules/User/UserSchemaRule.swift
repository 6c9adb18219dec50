import KubeJSON

/// `user.schema`: strict field validation of a User against the seed's `UserSpec`.
///
/// The apiserver's own pruning would silently drop an unknown field (`spec.isAdmin` for `spec.is_admin`)
/// and accept `"true"` where a boolean belongs when fields are not strict; this rule names every such field.
public struct UserSchemaRule: Rule {
    public let id: RuleID = "user.schema"
    public let kind = ResourceKind.user
    public let defaultEnforcement = Enforcement.deny
    public let summary = "Only the seed's fields, each with its declared type; no duplicate keys; cluster-scoped."

    /// The 22 fields of `UserSpec` (Alauda's User API; README, "Rules").
    public static let specSchema = ObjectSchema([
        .init("account", .string),
        .init("connector_id", .string),
        .init("connector_name", .string),
        .init("connector_type", .string),
        .init("continuity_errors", .integer),
        .init("email", .string),
        .init("expired", .object),
        .init("extra", .object),
        .init("groups", .stringArray),
        .init("ids", .objectArray),
        .init("is_admin", .boolean),
        .init("is_disabled", .boolean),
        .init("last_login_time", .string),
        .init("mail", .string),
        .init("mobile", .string),
        .init("old_password", .string, secret: true),
        .init("password", .string, secret: true),
        .init("state", .string),
        .init("username", .string),
        .init("valid", .boolean),
        .init("webhookType", .string),
        .init("webhookUrl", .string, secret: true),
    ])

    /// The top level of a User.
    public static let objectSchema = ObjectSchema([
        .init("apiVersion", .string),
        .init("kind", .string),
        .init("metadata", .object),
        .init("spec", .structure(specSchema)),
        .init("status", .object),
    ])

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] { allViolations(subject) }

    public func validate(_ subject: RuleSubject, into violations: inout ViolationCollector) {
        Self.objectSchema.check(subject.object, at: .root, rule: id, into: &violations)
        if let count = subject.spec?["continuity_errors"], case .integer(let value) = count, value < 0 {
            violations.add(violation(FieldPath("spec", "continuity_errors"), .invalid, BadValue(count),
                                     "must be greater than or equal to 0"))
        }
        if let namespaceViolation = ClusterScope.namespaceViolation(of: subject.object, rule: id) {
            violations.add(namespaceViolation)
        }
        DuplicateKeyScan.scan(subject.object, rule: id, into: &violations)
    }
}
