import IdentityGuardTesting
import Foundation
import IdentityRules
import Testing
import KubeJSON

@Suite("deploy/ renders what the README's install guide promises", .timeLimit(.minutes(5)))
struct KustomizeTests {
    static let base = Result { try Repository.kustomize("deploy") }

    @Test("the base holds every object, in the identity-guard namespace where namespaced")
    func objects() throws {
        let objects = try Self.base.get()
        let kinds = objects.compactMap { $0["kind"]?.stringValue }.sorted()
        #expect(kinds == ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "CustomResourceDefinition", "Deployment",
                          "MutatingWebhookConfiguration", "Namespace", "NetworkPolicy", "PodDisruptionBudget",
                          "Role", "RoleBinding", "Service", "ServiceAccount", "ValidatingWebhookConfiguration"])
        for object in objects where ["ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Role",
                                     "RoleBinding", "Service", "ServiceAccount"]
            .contains(object["kind"]?.stringValue ?? "")
        {
            #expect(object["metadata"]?["namespace"] == "identity-guard")
        }
    }

    @Test(
        "both webhook configurations: CREATE/UPDATE on users and identities, fail closed",
        arguments: [("ValidatingWebhookConfiguration", "/validate"), ("MutatingWebhookConfiguration", "/mutate")]
    )
    func webhooks(kind: String, path: String) throws {
        let configuration = try Repository.object(try Self.base.get(), kind: kind, name: "identity-guard")
        let webhooks = try #require(configuration["webhooks"]?.arrayValue)
        #expect(webhooks.count == 1)
        let webhook = webhooks[0]
        #expect(webhook["failurePolicy"] == "Fail")
        #expect(webhook["sideEffects"] == "NoneOnDryRun")
        #expect(webhook["timeoutSeconds"] == 5)
        #expect(webhook["matchPolicy"] == "Equivalent")
        #expect(webhook["admissionReviewVersions"] == ["v1", "v1beta1"])
        #expect(webhook["clientConfig"]?["service"] == [
            "name": "identity-guard", "namespace": "identity-guard", "path": .string(path), "port": 443,
        ])
        #expect(webhook["rules"] == [
            ["apiGroups": ["auth.alauda.io"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
             "resources": ["users"], "scope": "Cluster"],
            ["apiGroups": ["user.openshift.io"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
             "resources": ["identities"], "scope": "Cluster"],
        ])
        #expect(webhook["reinvocationPolicy"] == (kind == "MutatingWebhookConfiguration" ? "IfNeeded" : nil))
    }

    @Test("RBAC: get/list/watch on the two kinds cluster-wide; Leases only in the webhook's namespace")
    func rbac() throws {
        let objects = try Self.base.get()
        let role = try Repository.object(objects, kind: "ClusterRole", name: "identity-guard")
        #expect(role["rules"] == [
            ["apiGroups": ["auth.alauda.io"], "resources": ["users"], "verbs": ["get", "list", "watch"]],
            ["apiGroups": ["user.openshift.io"], "resources": ["identities"], "verbs": ["get", "list", "watch"]],
        ])
        let binding = try Repository.object(objects, kind: "ClusterRoleBinding", name: "identity-guard")
        #expect(binding["subjects"] == [["kind": "ServiceAccount", "name": "identity-guard",
                                          "namespace": "identity-guard"]])
        #expect(binding["roleRef"]?["name"] == "identity-guard")
        let leases = try Repository.object(objects, kind: "Role", name: "identity-guard-email-claims")
        #expect(leases["metadata"]?["namespace"] == "identity-guard")
        #expect(leases["rules"] == [
            ["apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
             "verbs": ["get", "list", "create", "update", "delete"]],
        ])
        let leaseBinding = try Repository.object(objects, kind: "RoleBinding", name: "identity-guard-email-claims")
        #expect(leaseBinding["metadata"]?["namespace"] == "identity-guard")
        #expect(leaseBinding["roleRef"] == ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                            "name": "identity-guard-email-claims"])
        #expect(leaseBinding["subjects"] == [["kind": "ServiceAccount", "name": "identity-guard",
                                               "namespace": "identity-guard"]])
        #expect(!objects.contains { $0["kind"] == "ClusterRole" && $0["rules"]?.arrayValue?.contains {
            $0["resources"]?.arrayValue?.contains("leases") == true } == true })
    }

    @Test("the Deployment: two replicas spread apart, probes, limits, locked-down security, the certificate mounted")
    func deployment() throws {
        let objects = try Self.base.get()
        let deployment = try Repository.object(objects, kind: "Deployment", name: "identity-guard")
        #expect(deployment["spec"]?["replicas"] == 2)
        let pod = try #require(deployment["spec"]?["template"]?["spec"])
        #expect(pod["serviceAccountName"] == "identity-guard")
        #expect(pod["affinity"]?["podAntiAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"]?
            .arrayValue?.first?["podAffinityTerm"]?["topologyKey"] == "kubernetes.io/hostname")
        #expect(pod["securityContext"]?["runAsNonRoot"] == true)
        let container = try #require(pod["containers"]?.arrayValue?.first)
        #expect(container["livenessProbe"]?["httpGet"]?["path"] == "/healthz")
        #expect(container["readinessProbe"]?["httpGet"]?["path"] == "/readyz")
        #expect(container["resources"]?["requests"]?["cpu"] != nil)
        #expect(container["resources"]?["requests"]?["memory"] != nil)
        #expect(container["resources"]?["limits"]?["memory"] != nil)
        let security = try #require(container["securityContext"])
        #expect(security["runAsNonRoot"] == true)
        #expect(security["readOnlyRootFilesystem"] == true)
        #expect(security["allowPrivilegeEscalation"] == false)
        #expect(security["capabilities"]?["drop"] == ["ALL"])
        let argumentValues = try #require(container["args"]?.arrayValue)
        let arguments = argumentValues.compactMap(\.stringValue)
        #expect(arguments.first == "serve")
        #expect(arguments.contains("--tls-cert=/etc/identity-guard/tls/tls.crt"))
        #expect(arguments.contains("--tls-key=/etc/identity-guard/tls/tls.key"))
        #expect(arguments.contains("--in-cluster"))
        #expect(arguments.contains("--claims=lease"))
        #expect(container["volumeMounts"]?.arrayValue?.contains { $0["mountPath"] == "/etc/identity-guard/tls" } == true)
        #expect(pod["volumes"]?.arrayValue?.contains { $0["secret"]?["secretName"] == "identity-guard-tls" } == true)
        let ports = try #require(container["ports"]?.arrayValue)
        #expect(ports.contains { $0["name"] == "https" && $0["containerPort"] == 8443 })
        let service = try Repository.object(objects, kind: "Service", name: "identity-guard")
        #expect(service["spec"]?["ports"]?.arrayValue?.first { $0["name"] == "https" }?["port"] == 443)
        #expect(service["spec"]?["ports"]?.arrayValue?.first { $0["name"] == "https" }?["targetPort"] == "https")
        let budget = try Repository.object(objects, kind: "PodDisruptionBudget", name: "identity-guard")
        #expect(budget["spec"]?["minAvailable"] == 1)
        let policy = try Repository.object(objects, kind: "NetworkPolicy", name: "identity-guard")
        #expect(policy["spec"]?["policyTypes"] == ["Ingress", "Egress"])
    }

    @Test("the CRD declares the seed's 22 UserSpec fields with the seed's types, keeps unknown spec fields")
    func crd() throws {
        let crd = try Repository.object(try Self.base.get(), kind: "CustomResourceDefinition",
                                        name: "users.auth.alauda.io")
        #expect(crd["spec"]?["scope"] == "Cluster")
        let version = try #require(crd["spec"]?["versions"]?.arrayValue?.first)
        #expect(version["name"] == "v1")
        #expect(version["subresources"] == ["status": [:]])
        let spec = try #require(version["schema"]?["openAPIV3Schema"]?["properties"]?["spec"])
        #expect(spec["x-kubernetes-preserve-unknown-fields"] == true)
        let properties = try #require(spec["properties"]?.objectValue)
        // The engine's user.schema declares the same seed: the CRD and the webhook agree field for field.
        let declared = UserSchemaRule.specSchema.fields
        #expect(properties.keys.sorted() == declared.map(\.name).sorted())
        for field in declared {
            let property = try #require(properties[field.name])
            switch field.type {
            case .string: #expect(property["type"] == "string", "\(field.name)")
            case .integer: #expect(property["type"] == "integer", "\(field.name)")
            case .boolean: #expect(property["type"] == "boolean", "\(field.name)")
            case .stringArray: #expect(property["items"]?["type"] == "string", "\(field.name)")
            case .objectArray: #expect(property["items"]?["type"] == "object", "\(field.name)")
            case .object, .stringMap, .structure: #expect(property["type"] == "object", "\(field.name)")
            }
        }
    }

    @Test("the cert-manager overlay issues the serving certificate and injects the CA into both webhooks")
    func certManagerOverlay() throws {
        let objects = try Repository.kustomize("deploy/overlays/cert-manager")
        let certificate = try Repository.object(objects, kind: "Certificate", name: "identity-guard-serving")
        #expect(certificate["spec"]?["secretName"] == "identity-guard-tls")
        #expect(certificate["spec"]?["dnsNames"] == ["identity-guard.identity-guard.svc",
                                                     "identity-guard.identity-guard.svc.cluster.local"])
        for kind in ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"] {
            let configuration = try Repository.object(objects, kind: kind, name: "identity-guard")
            #expect(configuration["metadata"]?["annotations"]?["cert-manager.io/inject-ca-from"]
                == "identity-guard/identity-guard-serving")
        }
    }
}
