import Foundation
import IdentityGuardCLI
import IdentityGuardTesting
import IdentityRules
import KubeJSON
import Manifests
import NativePolicies
import Testing

/// deploy/components/native is what `identity-guard policies` prints for deploy/'s own configuration, and the
/// overlay that uses it narrows the webhook as `--mode hybrid` does. The policies' behaviour through a real
/// apiserver is `NativePolicyDifferentialTests` (the differential and hybrid mode).
@Suite("The native component", .timeLimit(.minutes(3)))
struct NativeComponentTests {
    /// deploy/base/config.yaml's `config.yaml`, read as `serve --config` reads it.
    static func deployConfiguration() throws -> RuleConfiguration {
        let objects = try Repository.kustomize("deploy")
        let configMap = try Repository.object(objects, kind: "ConfigMap", name: "identity-guard-config")
        let text = try #require(configMap["data"]?["config.yaml"]?.stringValue)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-config-\(UUID()).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try RuleConfigurationFile.load(file.path)
    }

    static func canonical(_ value: JSONValue) -> String {
        JSONWriter.string(value.sortedKeys)
    }

    @Test("deploy/'s ConfigMap is a configuration serve accepts: a plain `off` is the enforcement, not a boolean")
    func deployConfigurationLoads() throws {
        let configuration = try Self.deployConfiguration()
        #expect(configuration.enforcement(for: UserPasswordDeprecatedRule()) == .warn)
        #expect(configuration.enforcement(for: UserNameHashRule()) == .off)
        #expect(configuration.enforcement(for: IdentityUserExistsRule()) == .off)
        #expect(configuration.enforcement(for: UserEmailUniqueRule()) == .deny)
    }

    @Test("policies.yaml is `identity-guard policies` for deploy/'s configuration (deploy/hack/generate-native.sh)")
    func policiesUpToDate() throws {
        let file = Repository.root.appendingPathComponent("deploy/components/native/policies.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let body = text.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { $0.hasPrefix("#") }.joined(separator: "\n")
        let expected = PoliciesCommand.render(configuration: try Self.deployConfiguration(), mode: .native,
                                              output: .yaml)
        #expect(body == expected, "deploy/components/native/policies.yaml is stale: run deploy/hack/generate-native.sh")
    }

    @Test("the overlay: the policies, the webhook narrowed as --mode hybrid narrows it, no mutating webhook")
    func overlayRendersHybrid() throws {
        let objects = try Repository.kustomize("deploy/overlays/cert-manager-native")
        let generator = NativePolicyGenerator(configuration: try Self.deployConfiguration())
        let policyKinds: Set<String> = ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
                                        "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"]
        let rendered = objects.filter { policyKinds.contains($0["kind"]?.stringValue ?? "") }
        #expect(Set(rendered.map(Self.canonical)) == Set(generator.objects().map(Self.canonical)))
        #expect(rendered.count == generator.objects().count)
        #expect(!objects.contains { $0["kind"] == "MutatingWebhookConfiguration" })

        let webhook = try Repository.object(objects, kind: "ValidatingWebhookConfiguration", name: "identity-guard")
        let hybrid = try #require(HybridWebhooks(generator: generator).objects().first)
        let want = try #require(hybrid["webhooks"]?.arrayValue?.first)
        let got = try #require(webhook["webhooks"]?.arrayValue?.first)
        #expect(Self.canonical(got["rules"] ?? .null) == Self.canonical(want["rules"] ?? .null))
        #expect(Self.canonical(got["matchConditions"] ?? .null) == Self.canonical(want["matchConditions"] ?? .null))
        #expect(got["matchConditions"]?.arrayValue?.count == 1)
        #expect(got["clientConfig"]?["service"]?["name"] == "identity-guard")
        // cert-manager still injects the CA into the webhook that is left.
        #expect(webhook["metadata"]?["annotations"]?["cert-manager.io/inject-ca-from"]
            == "identity-guard/identity-guard-serving")
    }
}
