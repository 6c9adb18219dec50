public import IdentityRules
public import KubeJSON

/// Renders the rules' CEL declarations as the apiserver's own admission objects: a ValidatingAdmissionPolicy and
/// its binding per rule, a MutatingAdmissionPolicy and its binding per mutating rule.
///
/// The webhook and the policies read the same rule catalogue and configuration, so that `identity-guard
/// policies` can replace (native) or narrow (hybrid) the webhook without a second source of truth. Enforcement
/// maps to validation actions (deny → `Deny`, warn → `Warn`); a rule that is off, or has no CEL form, gets no
/// object.
public struct NativePolicyGenerator: Sendable {
    /// The API group and version of every object generated.
    public static let apiVersion = "admissionregistration.k8s.io/v1"
    /// The label every generated object carries.
    public static let managedByLabel = "app.kubernetes.io/managed-by"
    /// The annotation naming the rule a generated object enforces.
    public static let ruleAnnotation = "identity-guard.alauda.io/rule"

    public let configuration: RuleConfiguration
    public let rules: [any Rule]

    public init(configuration: RuleConfiguration = .defaults, rules: [any Rule] = RuleCatalog.all) {
        self.configuration = configuration
        self.rules = rules
    }

    /// The name of the objects that enforce `rule`.
    public static func objectName(_ rule: RuleID) -> String {
        "identity-guard-" + rule.rawValue
    }

    /// Every object, in catalogue order: for each rule its policy and binding, then its mutating pair.
    public func objects() -> [JSONValue] {
        var objects: [JSONValue] = []
        for rule in rules {
            let enforcement = configuration.enforcement(for: rule)
            guard enforcement != .off, let policy = (rule as? any NativeRule)?.nativeForm.policy else { continue }
            objects += validating(rule, policy, enforcement)
            if rule is any MutatingRule, let mutation = policy.mutation {
                objects += mutating(rule, mutation)
            }
        }
        return objects
    }

    /// The rules that only the webhook can decide at this configuration (on, without a policy).
    public func webhookOnlyRules() -> [any Rule] {
        rules.filter { rule in
            configuration.enforcement(for: rule) != .off && (rule as? any NativeRule)?.nativeForm.policy == nil
        }
    }

    private func metadata(_ rule: any Rule) -> JSONValue {
        [
            "name": .string(Self.objectName(rule.id)),
            "labels": .object(JSONObject([.init(key: Self.managedByLabel, value: "identity-guard")])),
            "annotations": .object(JSONObject([.init(key: Self.ruleAnnotation, value: .string(rule.id.rawValue))])),
        ]
    }

    private func matchConstraints(_ kind: ResourceKind) -> JSONValue {
        [
            "resourceRules": [
                [
                    "apiGroups": [.string(kind.group)],
                    "apiVersions": [.string(kind.version)],
                    "operations": ["CREATE", "UPDATE"],
                    "resources": [.string(kind.resource)],
                ],
            ],
        ]
    }

    private func variables(_ variables: [NativeVariable]) -> JSONValue {
        .array(variables.map { ["name": .string($0.name), "expression": .string($0.expression)] })
    }

    private func validating(_ rule: any Rule, _ policy: NativePolicy, _ enforcement: Enforcement) -> [JSONValue] {
        var spec: JSONValue = [
            "failurePolicy": "Fail",
            "matchConstraints": matchConstraints(rule.kind),
            "variables": variables(policy.variables),
            "validations": .array(policy.validations.map { validation in
                [
                    "expression": .string(validation.expression),
                    "messageExpression": .string(validation.messageExpression),
                    "message": .string(validation.message),
                    "reason": "Forbidden",
                ]
            }),
        ]
        if !policy.auditAnnotations.isEmpty, var members = spec.objectValue {
            members["auditAnnotations"] = .array(policy.auditAnnotations.map {
                ["key": .string($0.key), "valueExpression": .string($0.valueExpression)]
            })
            spec = .object(members)
        }
        spec = withExemptions(spec, rule.id)
        let action: JSONValue = enforcement == .deny ? "Deny" : "Warn"
        return [
            [
                "apiVersion": .string(Self.apiVersion),
                "kind": "ValidatingAdmissionPolicy",
                "metadata": metadata(rule),
                "spec": spec,
            ],
            [
                "apiVersion": .string(Self.apiVersion),
                "kind": "ValidatingAdmissionPolicyBinding",
                "metadata": metadata(rule),
                "spec": [
                    "policyName": .string(Self.objectName(rule.id)),
                    "validationActions": [action],
                ],
            ],
        ]
    }

    /// `spec` with a `matchConditions` entry that skips the requests an exemption covers for `rule`.
    private func withExemptions(_ spec: JSONValue, _ rule: RuleID) -> JSONValue {
        guard let condition = ExemptionConditions.condition(for: rule, in: configuration.exemptions),
            var members = spec.objectValue
        else { return spec }
        members["matchConditions"] = [["name": .string(condition.name), "expression": .string(condition.expression)]]
        return .object(members)
    }

    private func mutating(_ rule: any Rule, _ mutation: NativeMutation) -> [JSONValue] {
        [
            [
                "apiVersion": .string(Self.apiVersion),
                "kind": "MutatingAdmissionPolicy",
                "metadata": metadata(rule),
                "spec": withExemptions([
                    "failurePolicy": "Fail",
                    "matchConstraints": matchConstraints(rule.kind),
                    "variables": variables(mutation.variables),
                    "mutations": [
                        [
                            "patchType": "JSONPatch",
                            "jsonPatch": ["expression": .string(mutation.patchExpression)],
                        ],
                    ],
                    "reinvocationPolicy": "IfNeeded",
                ], rule.id),
            ],
            [
                "apiVersion": .string(Self.apiVersion),
                "kind": "MutatingAdmissionPolicyBinding",
                "metadata": metadata(rule),
                "spec": ["policyName": .string(Self.objectName(rule.id))],
            ],
        ]
    }
}
