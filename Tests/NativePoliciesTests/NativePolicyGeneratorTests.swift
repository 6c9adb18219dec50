import Foundation
import IdentityRules
import KubeJSON
import NativePolicies
import Testing

@Suite("Native admission policies from the rules' CEL forms")
struct NativePolicyGeneratorTests {
    @Test("every rule of the catalogue declares its native form")
    func everyRuleDeclares() {
        for rule in RuleCatalog.all {
            #expect(rule is any NativeRule, "\(rule.id) declares no native form")
        }
        let webhookOnly = RuleCatalog.all.compactMap { rule -> String? in
            guard case .webhookOnly(let reason)? = (rule as? any NativeRule)?.nativeForm else { return nil }
            return "\(rule.id.rawValue): \(reason)"
        }
        #expect(webhookOnly == [
            "user.email-unique: needs the other Users: a policy sees one object",
            "user.name-hash: needs MD5: CEL has no hash functions",
            "identity.user-exists: needs the other Users: a policy sees one object",
        ])
    }

    @Test("at the defaults: a policy and binding per native rule, a mutating pair per mutating rule, in order")
    func defaultObjects() {
        let objects = NativePolicyGenerator().objects()
        let names = objects.map { "\($0["kind"]?.stringValue ?? "") \($0["metadata"]?["name"]?.stringValue ?? "")" }
        let expected = [
            "user.schema", "user.email", "user.password-deprecated", "user.state", "user.state-consistency",
            "user.formats", "identity.schema", "identity.required", "identity.name", "identity.immutable",
        ].flatMap { id -> [String] in
            var kinds = ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]
            if id == "user.password-deprecated" || id == "user.state-consistency" {
                kinds += ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"]
            }
            return kinds.map { "\($0) identity-guard-\(id)" }
        }
        #expect(names == expected)
        for object in objects {
            #expect(object["apiVersion"] == "admissionregistration.k8s.io/v1")
            #expect(object["metadata"]?["labels"] == ["app.kubernetes.io/managed-by": "identity-guard"])
        }
        let actions = objects.filter { $0["kind"] == "ValidatingAdmissionPolicyBinding" }
            .map { binding in
                let name = binding["metadata"]?["name"]?.stringValue ?? ""
                return "\(name) \(JSONWriter.string(binding["spec"]?["validationActions"] ?? .null))"
            }
        #expect(actions.contains("identity-guard-user.password-deprecated [\"Warn\"]"))
        #expect(actions.contains("identity-guard-user.state [\"Deny\"]"))
    }

    @Test("the user.state policy and its binding, exactly")
    func userStateExactly() throws {
        let configuration = try RuleConfiguration(overrides: Dictionary(uniqueKeysWithValues: RuleCatalog.ids
            .filter { $0 != "user.state" }.map { ($0, Enforcement.off) }))
        let objects = NativePolicyGenerator(configuration: configuration).objects()
        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": .array(objects)]
        #expect(JSONWriter.string(list, indentation: 2) + "\n" == Self.userStateJSON)
    }

    @Test("warn maps to Warn, off to nothing; a mutating rule that is off has no MutatingAdmissionPolicy")
    func enforcementMapping() throws {
        let configuration = try RuleConfiguration(overrides: [
            "user.state": .warn, "user.password-deprecated": .off, "identity.name": .off,
        ])
        let objects = NativePolicyGenerator(configuration: configuration).objects()
        let names = Set(objects.compactMap { $0["metadata"]?["name"]?.stringValue })
        #expect(!names.contains("identity-guard-user.password-deprecated"))
        #expect(!names.contains("identity-guard-identity.name"))
        let binding = objects.first {
            $0["kind"] == "ValidatingAdmissionPolicyBinding" && $0["metadata"]?["name"] == "identity-guard-user.state"
        }
        #expect(binding?["spec"]?["validationActions"] == ["Warn"])
    }

    @Test("the mutating policies patch with JSONPatch and are reinvoked")
    func mutatingPolicies() {
        let policies = NativePolicyGenerator().objects().filter { $0["kind"] == "MutatingAdmissionPolicy" }
        let expressions = policies.map { first($0["spec"]?["mutations"])?["jsonPatch"]?["expression"] ?? .null }
        let password = "['password', 'old_password'].filter(f, f in variables.spec)"
            + ".map(f, JSONPatch{op: 'remove', path: '/spec/' + f})"
        var consistency = "has(variables.spec.state) && type(variables.spec.state) == string"
        consistency += " && !(has(variables.spec.is_disabled) && variables.spec.is_disabled != null)"
        consistency += " ? [JSONPatch{op: 'add', path: '/spec/is_disabled', value: variables.spec.state == 'disabled'}]"
        consistency += " : !(has(variables.spec.state) && variables.spec.state != null)"
        consistency += " && has(variables.spec.is_disabled) && variables.spec.is_disabled == true"
        consistency += " ? [JSONPatch{op: 'add', path: '/spec/state', value: 'disabled'}] : []"
        #expect(expressions == [.string(password), .string(consistency)])
        #expect(policies.allSatisfy { $0["spec"]?["reinvocationPolicy"] == "IfNeeded" })
    }

    @Test("hybrid mode at the defaults: the webhook only for User CREATEs and email-changing UPDATEs")
    func hybridDefaults() {
        let objects = HybridWebhooks(generator: NativePolicyGenerator()).objects()
        #expect(objects.count == 1)
        let webhook = first(objects.first?["webhooks"])
        #expect(webhook?["rules"]?.arrayValue?.count == 1)
        #expect(first(webhook?["rules"])?["resources"] == ["users"])
        let read = { (root: String) -> String in
            "(has(dyn(\(root)).spec) && type(dyn(\(root)).spec) == map && has(dyn(\(root)).spec.email)"
                + " ? dyn(\(root)).spec.email : null)"
        }
        #expect(first(webhook?["matchConditions"])?["expression"]?.stringValue
            == "(request.resource.group == 'auth.alauda.io' && ((request.operation == 'CREATE' || "
            + read("object") + " != " + read("oldObject") + ")))")
    }

    @Test("hybrid mode with every webhook-only rule off has no webhook")
    func hybridWithoutWebhook() throws {
        let configuration = try RuleConfiguration(overrides: ["user.email-unique": .off])
        #expect(HybridWebhooks(generator: NativePolicyGenerator(configuration: configuration)).objects().isEmpty)
    }

    /// The type checker (kube-controller-manager's policy status controller) checks field look-ups on `object`
    /// against the CRD's schema; reading `object` and `oldObject` only through `dyn(…)` leaves it nothing to warn
    /// about for any of the three CRD shapes. Envtest runs no controller manager, so this is where it is held.
    @Test("every expression reads object and oldObject only through dyn()")
    func onlyDynamicReads() {
        var expressions: [String] = []
        for rule in RuleCatalog.all {
            guard let policy = (rule as? any NativeRule)?.nativeForm.policy else { continue }
            expressions += policy.variables.map(\.expression) + policy.validations.map(\.expression)
            expressions += policy.validations.map(\.messageExpression) + policy.auditAnnotations.map(\.valueExpression)
            if let mutation = policy.mutation {
                expressions += mutation.variables.map(\.expression) + [mutation.patchExpression]
            }
        }
        for expression in expressions {
            // String literals (messages, regular expressions) are not reads.
            let code = expression.replacingOccurrences(of: #"'(\\.|[^'\\])*'"#, with: "''", options: .regularExpression)
            let stripped = code.replacingOccurrences(of: "dyn(object)", with: "")
                .replacingOccurrences(of: "dyn(oldObject)", with: "")
                .replacingOccurrences(of: "oldObject == null", with: "")
            let words = stripped.split(whereSeparator: { !$0.isLetter && $0 != "." && $0 != "_" })
            #expect(!words.contains { $0 == "object" || $0.hasPrefix("object.") || $0 == "oldObject"
                || $0.hasPrefix("oldObject.") }, "\(expression)")
        }
    }

    @Test("CEL string literals escape quotes, backslashes and line breaks")
    func literals() {
        #expect(NativeCEL.literal(#"it's a \p{L}"#) == #"'it\'s a \\p{L}'"#)
        #expect(NativeCEL.literal("a\nb") == #"'a\nb'"#)
    }

    private func first(_ value: JSONValue?) -> JSONValue? {
        value?.arrayValue?.first
    }

    /// `identity-guard policies --output json` with every rule but user.state off.
    static let userStateJSON = #"""
        {
          "apiVersion": "v1",
          "kind": "List",
          "items": [
            {
              "apiVersion": "admissionregistration.k8s.io/v1",
              "kind": "ValidatingAdmissionPolicy",
              "metadata": {
                "name": "identity-guard-user.state",
                "labels": {
                  "app.kubernetes.io/managed-by": "identity-guard"
                },
                "annotations": {
                  "identity-guard.alauda.io/rule": "user.state"
                }
              },
              "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {
                  "resourceRules": [
                    {
                      "apiGroups": [
                        "auth.alauda.io"
                      ],
                      "apiVersions": [
                        "v1"
                      ],
                      "operations": [
                        "CREATE",
                        "UPDATE"
                      ],
                      "resources": [
                        "users"
                      ]
                    }
                  ]
                },
                "variables": [
                  {
                    "name": "o",
                    "expression": "dyn(object)"
                  },
                  {
                    "name": "spec",
                    "expression": "has(variables.o.spec) && type(variables.o.spec) == map ? variables.o.spec : {}"
                  }
                ],
                "validations": [
                  {
                    "expression": "!(has(variables.spec.state) && type(variables.spec.state) == string) ||\#
         variables.spec.state in ['active', 'disabled', 'locked', 'invalid']",
                    "messageExpression": "'user.state: spec.state: Unsupported value: \"' + variables.spec.state\#
         + '\": supported values: \"active\", \"disabled\", \"locked\", \"invalid\"'",
                    "message": "user.state: spec.state: Unsupported value: supported values: \"active\",\#
         \"disabled\", \"locked\", \"invalid\"",
                    "reason": "Forbidden"
                  }
                ]
              }
            },
            {
              "apiVersion": "admissionregistration.k8s.io/v1",
              "kind": "ValidatingAdmissionPolicyBinding",
              "metadata": {
                "name": "identity-guard-user.state",
                "labels": {
                  "app.kubernetes.io/managed-by": "identity-guard"
                },
                "annotations": {
                  "identity-guard.alauda.io/rule": "user.state"
                }
              },
              "spec": {
                "policyName": "identity-guard-user.state",
                "validationActions": [
                  "Deny"
                ]
              }
            }
          ]
        }

        """#
}

@Suite("Exemptions as matchConditions")
struct ExemptionConditionTests {
    @Test("each selector, ANDed within an exemption and ORed across those covering the rule")
    func expressions() {
        let exemption = Exemption(name: "x", users: ["ops-*", "root"], labels: ["team": "it's"],
                                  requesters: ["admin"], requesterGroups: ["system:masters"])
        let name = "(has(dyn(object).metadata) && has(dyn(object).metadata.name)"
            + " && type(dyn(object).metadata.name) == string ? dyn(object).metadata.name : request.name)"
        let source = "(request.operation == 'UPDATE' && oldObject != null ? dyn(oldObject) : dyn(object))"
        #expect(ExemptionConditions.expression(exemption) == "(\(name).startsWith('ops-') || \(name) == 'root')"
            + " && (has(\(source).metadata) && has(\(source).metadata.labels) && 'team' in \(source).metadata.labels"
            + " && \(source).metadata.labels['team'] == 'it\\'s')"
            + " && request.userInfo.username in ['admin']"
            + " && request.userInfo.groups.exists(g, g in ['system:masters'])")
        let first = Exemption(name: "a", rules: ["user.state"], users: ["a"])
        let second = Exemption(name: "b", requesters: ["b"])
        let other = Exemption(name: "c", rules: ["user.email"], users: ["c"])
        let condition = ExemptionConditions.condition(for: "user.state", in: [first, second, other])
        #expect(condition?.name == "not-exempted")
        #expect(condition?.expression == "!((\(ExemptionConditions.expression(first)))"
            + " || (\(ExemptionConditions.expression(second))))")
        #expect(ExemptionConditions.condition(for: "user.formats", in: [first, other]) == nil)
    }

    @Test("only the policies of covered rules get the condition, mutating ones included")
    func onCoveredPolicies() throws {
        var configuration = RuleConfiguration.defaults
        configuration.exemptions = [Exemption(name: "installer", rules: ["user.password-deprecated"],
                                              requesters: ["installer"])]
        let objects = NativePolicyGenerator(configuration: configuration).objects()
        let conditioned = objects.filter { $0["spec"]?["matchConditions"] != nil }
            .map { "\($0["kind"]?.stringValue ?? "") \($0["metadata"]?["name"]?.stringValue ?? "")" }
        #expect(conditioned == ["ValidatingAdmissionPolicy identity-guard-user.password-deprecated",
                                "MutatingAdmissionPolicy identity-guard-user.password-deprecated"])
    }
}
