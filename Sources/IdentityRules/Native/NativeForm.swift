/// How a rule is enforced by the apiserver's own admission (CEL policies), or why only the webhook can.
///
/// Each rule declares it next to its Swift form (`XRule+Native.swift`), so that a change to a rule meets its CEL
/// twin in review; `identity-guard policies` renders the declarations as Kubernetes objects and
/// `identity-guard rules` shows which rules have one.
public enum NativeForm: Sendable, Hashable {
    /// The rule as CEL: a ValidatingAdmissionPolicy and, for a mutating rule, a MutatingAdmissionPolicy.
    case policy(NativePolicy)
    /// Only the webhook decides this rule; `reason` says why CEL cannot (shown by `identity-guard rules`).
    case webhookOnly(reason: String)

    /// The policy, when the rule has one.
    public var policy: NativePolicy? {
        if case .policy(let policy) = self { return policy }
        return nil
    }
}

/// A rule that declares its ``NativeForm``.
///
/// Apart from ``Rule`` so that declaring the CEL form stays additive: every rule of ``RuleCatalog`` conforms
/// (a test holds it to that).
public protocol NativeRule: Rule {
    var nativeForm: NativeForm { get }
}

/// One rule's CEL: what a ValidatingAdmissionPolicy checks and, for a mutating rule, what its
/// MutatingAdmissionPolicy patches.
///
/// Expressions read `object` only through the variables ``NativeCEL`` defines (`dyn`, `has()` and type tests
/// first), so they hold for a fully structural CRD, one that preserves unknown fields, or an untyped one, and
/// type-check without warnings against any of them.
public struct NativePolicy: Sendable, Hashable {
    /// Variables, in order (later ones may read earlier ones as `variables.NAME`).
    public var variables: [NativeVariable]
    /// Checks that must all hold; each failure is one denial (or warning) message.
    public var validations: [NativeValidation]
    /// `auditAnnotations` of the ValidatingAdmissionPolicy.
    public var auditAnnotations: [NativeAuditAnnotation]
    /// The MutatingAdmissionPolicy's patch, for a mutating rule.
    public var mutation: NativeMutation?

    public init(
        variables: [NativeVariable],
        validations: [NativeValidation],
        auditAnnotations: [NativeAuditAnnotation] = [],
        mutation: NativeMutation? = nil
    ) {
        self.variables = variables
        self.validations = validations
        self.auditAnnotations = auditAnnotations
        self.mutation = mutation
    }
}

/// A named CEL expression (`spec.variables[]`).
public struct NativeVariable: Sendable, Hashable {
    public var name: String
    public var expression: String

    public init(_ name: String, _ expression: String) {
        self.name = name
        self.expression = expression
    }
}

/// One `spec.validations[]` entry: the check, and the message the webhook would give when it fails.
public struct NativeValidation: Sendable, Hashable {
    /// True when the object is fine.
    public var expression: String
    /// The message: rule id, field path, Kubernetes error words; never a secret value.
    public var messageExpression: String
    /// The static message the apiserver falls back to when `messageExpression` cannot be used (a line break).
    public var message: String

    public init(_ expression: String, message: String, messageExpression: String) {
        self.expression = expression
        self.message = message
        self.messageExpression = messageExpression
    }
}

/// One `spec.auditAnnotations[]` entry of a ValidatingAdmissionPolicy.
public struct NativeAuditAnnotation: Sendable, Hashable {
    public var key: String
    /// Evaluates to the value, or null for no annotation.
    public var valueExpression: String

    public init(key: String, valueExpression: String) {
        self.key = key
        self.valueExpression = valueExpression
    }
}

/// The JSON Patch a MutatingAdmissionPolicy applies (`patchType: JSONPatch`).
public struct NativeMutation: Sendable, Hashable {
    public var variables: [NativeVariable]
    /// A list of `JSONPatch{…}`; an empty list changes nothing.
    public var patchExpression: String

    public init(variables: [NativeVariable], patchExpression: String) {
        self.variables = variables
        self.patchExpression = patchExpression
    }
}
