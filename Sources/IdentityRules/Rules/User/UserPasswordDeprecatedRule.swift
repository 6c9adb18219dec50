public import KubeJSON

/// `user.password-deprecated`: plain-text `spec.password` / `spec.old_password` must not be stored.
///
/// Validating, it warns (or denies, if configured); mutating, it removes both fields and says so in a warning
/// and the `scrubbed-fields` audit annotation — naming the fields, never their values.
public struct UserPasswordDeprecatedRule: MutatingRule {
    public let id: RuleID = "user.password-deprecated"
    public let kind = ResourceKind.user
    public let defaultEnforcement = Enforcement.warn
    public let summary = "spec.password and spec.old_password are deprecated; the mutating webhook removes them."

    /// The deprecated fields, in the order messages name them.
    public static let fields = ["password", "old_password"]

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] {
        guard let spec = subject.spec else { return [] }
        return Self.fields.filter(spec.contains(key:)).map { field in
            violation(FieldPath("spec", field), .forbidden, .omitted,
                      "deprecated: plain-text passwords must not be stored")
        }
    }

    public func mutate(_ object: inout JSONObject, subject: RuleSubject) -> Mutation? {
        guard var spec = object["spec"]?.objectValue else { return nil }
        let removed = Self.fields.filter(spec.contains(key:))
        guard !removed.isEmpty else { return nil }
        for field in removed { spec[field] = nil }
        object["spec"] = .object(spec)
        let names = removed.map { "spec.\($0)" }
        return Mutation(
            rule: id,
            warning: "removed deprecated \(names.joined(separator: ", ")): plain-text passwords are not stored",
            auditAnnotations: [AuditAnnotation(key: "scrubbed-fields", value: names.joined(separator: ","))]
        )
    }
}
