public import KubeJSON

/// One policy over one kind, with a stable id: the unit of configuration, reporting and documentation.
///
/// Like a swift-certificates `VerifierPolicy` or a kube-linter check, a rule does one thing, lives in one file
/// and reports failures as values (``Violation``s); the engine adds enforcement and context.
public protocol Rule: Sendable {
    var id: RuleID { get }
    var kind: ResourceKind { get }
    var defaultEnforcement: Enforcement { get }
    /// One line for `identity-guard rules` and the README.
    var summary: String { get }
    /// Whether the rule still applies to a request on the `status` subresource. Rules about `spec` do not.
    var appliesToStatusSubresource: Bool { get }

    /// Every way `subject` breaks this rule, in any order (the engine sorts them).
    func validate(_ subject: RuleSubject) -> [Violation]

    /// The same into `collector`, which may keep only the first few; a rule that can find many violations in
    /// one object implements it so that those past the limit are counted without being built.
    func validate(_ subject: RuleSubject, into collector: inout ViolationCollector)
}

extension Rule {
    public var appliesToStatusSubresource: Bool { false }

    public func validate(_ subject: RuleSubject, into collector: inout ViolationCollector) {
        collector.add(contentsOf: validate(subject))
    }

    /// Every violation, from a rule that implements ``validate(_:into:)``.
    func allViolations(_ subject: RuleSubject) -> [Violation] {
        var collector = ViolationCollector()
        validate(subject, into: &collector)
        return collector.violations
    }

    /// A violation of this rule.
    func violation(
        _ field: FieldPath,
        _ type: ViolationType,
        _ badValue: BadValue = .omitted,
        _ detail: String = ""
    ) -> Violation {
        Violation(rule: id, field: field, type: type, badValue: badValue, detail: detail)
    }
}

/// A rule that can also repair what it checks; the mutating webhook and `identity-guard mutate` apply it.
///
/// It changes the object and says what it did; the JSON Patch is computed afterwards as a diff of the original
/// and the changed object, so no rule ever writes a patch path by hand (controller-runtime's
/// `PatchResponseFromRaw`).
public protocol MutatingRule: Rule {
    /// Repairs `object` in place; returns what was done, or nil when there was nothing to do.
    func mutate(_ object: inout JSONObject, subject: RuleSubject) -> Mutation?
}

/// What a mutating rule changed, told to the user (a warning) and to the audit log (annotations).
public struct Mutation: Sendable, Hashable {
    public var ruleID: RuleID
    /// A warning for the client; never carries a secret value.
    public var warning: String?
    /// Audit annotations (qualified-name keys), naming what changed but never a secret value.
    public var auditAnnotations: [AuditAnnotation]

    public init(rule: RuleID, warning: String? = nil, auditAnnotations: [AuditAnnotation] = []) {
        ruleID = rule
        self.warning = warning
        self.auditAnnotations = auditAnnotations
    }
}

/// A `response.auditAnnotations` entry.
public struct AuditAnnotation: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
