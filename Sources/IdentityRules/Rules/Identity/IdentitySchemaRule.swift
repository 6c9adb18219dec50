/// `identity.schema`: strict field validation of an OpenShift Identity.
///
/// Identities are a built-in OpenShift API, so the apiserver's own decoding drops unknown fields silently;
/// this rule names them, and checks that `extra` maps strings to strings and `user` is an `ObjectReference`.
public struct IdentitySchemaRule: Rule {
    public let id: RuleID = "identity.schema"
    public let kind = ResourceKind.identity
    public let defaultEnforcement = Enforcement.deny
    public let summary = "Only Identity's fields with their types: extra is string→string, user an ObjectReference."

    /// `ObjectReference`'s fields, all strings.
    public static let objectReferenceSchema = ObjectSchema(
        ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"].map { .init($0, .string) }
    )

    public static let objectSchema = ObjectSchema([
        .init("apiVersion", .string),
        .init("kind", .string),
        .init("metadata", .object),
        .init("providerName", .string),
        .init("providerUserName", .string),
        .init("user", .structure(objectReferenceSchema)),
        .init("extra", .stringMap),
    ])

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] { allViolations(subject) }

    public func validate(_ subject: RuleSubject, into violations: inout ViolationCollector) {
        Self.objectSchema.check(subject.object, at: .root, rule: id, into: &violations)
        DuplicateKeyScan.scan(subject.object, rule: id, into: &violations)
    }
}
