public import IdentityRules
public import KubeJSON

/// The webhook configurations of hybrid mode: deploy/'s validating webhook, narrowed with `matchConditions` to
/// the requests only the webhook can decide (those of the webhook-only rules that are on).
///
/// At the defaults that is `user.email-unique`: User CREATEs and the UPDATEs that change `spec.email`. Every
/// mutating rule has a MutatingAdmissionPolicy, so hybrid mode has no mutating webhook. When no webhook-only
/// rule is on, there is no webhook configuration at all.
public struct HybridWebhooks: Sendable {
    public let generator: NativePolicyGenerator

    /// The webhook's name and the Service deploy/ calls it through.
    public static let webhookName = "validate.identity-guard.alauda.io"

    public init(generator: NativePolicyGenerator) {
        self.generator = generator
    }

    /// When the webhook must see a request for `rule`, as a CEL condition on the request; nil for every
    /// CREATE and UPDATE of the rule's kind.
    public static func condition(for rule: RuleID) -> String? {
        switch rule {
        case "user.email-unique", "user.name-hash":
            "request.operation == 'CREATE' || " + changed("spec", "email")
        case "identity.user-exists":
            "request.operation == 'CREATE' || " + changed("user", "name")
        default:
            nil
        }
    }

    /// Whether `object.parent.field` differs from the old object's (absent, null and non-maps alike).
    static func changed(_ parent: String, _ field: String) -> String {
        func read(_ root: String) -> String {
            "(has(dyn(\(root)).\(parent)) && type(dyn(\(root)).\(parent)) == map"
                + " && has(dyn(\(root)).\(parent).\(field)) ? dyn(\(root)).\(parent).\(field) : null)"
        }
        return read("object") + " != " + read("oldObject")
    }

    /// The narrowed ValidatingWebhookConfiguration, or nothing when no webhook-only rule is on.
    public func objects() -> [JSONValue] {
        let needed = generator.webhookOnlyRules()
        guard !needed.isEmpty else { return [] }
        var rules: [JSONValue] = []
        var conditions: [String] = []
        for kind in ResourceKind.allCases {
            let ofKind = needed.filter { $0.kind == kind }
            guard !ofKind.isEmpty else { continue }
            rules.append([
                "apiGroups": [.string(kind.group)],
                "apiVersions": [.string(kind.version)],
                "operations": ["CREATE", "UPDATE"],
                "resources": [.string(kind.resource)],
                "scope": "Cluster",
            ])
            let perRule = ofKind.map { Self.condition(for: $0.id) }
            let when = perRule.contains(where: { $0 == nil })
                ? "true" : Array(Set(perRule.compactMap { $0 })).sorted().map { "(\($0))" }.joined(separator: " || ")
            conditions.append("request.resource.group == '\(kind.group)' && (\(when))")
        }
        let webhook: JSONValue = [
            "name": .string(Self.webhookName),
            "admissionReviewVersions": ["v1", "v1beta1"],
            "clientConfig": [
                "service": ["name": "identity-guard", "namespace": "identity-guard", "path": "/validate", "port": 443],
            ],
            "rules": .array(rules),
            "matchConditions": [
                [
                    "name": "webhook-only-rules",
                    "expression": .string(conditions.map { "(\($0))" }.joined(separator: " || ")),
                ],
            ],
            "failurePolicy": "Fail",
            "sideEffects": "NoneOnDryRun",
            "timeoutSeconds": 5,
            "matchPolicy": "Equivalent",
        ]
        return [
            [
                "apiVersion": .string(NativePolicyGenerator.apiVersion),
                "kind": "ValidatingWebhookConfiguration",
                "metadata": [
                    "name": "identity-guard",
                    "labels": .object(JSONObject([
                        .init(key: NativePolicyGenerator.managedByLabel, value: "identity-guard"),
                    ])),
                ],
                "webhooks": [webhook],
            ],
        ]
    }
}
