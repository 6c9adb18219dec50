import KubeJSON
import IdentityGuardTesting
import Foundation
import IdentityGuardCLI
import IdentityRules
import Testing

@Suite("identity-guard rules and version", .timeLimit(.minutes(5)))
struct CommandLineTests {
    static let expectedText = """
        RULE                      KIND      DEFAULT  MUTATES   NATIVE        SUMMARY
        user.schema               User      deny     no        native        Only the seed's fields, each with its \
        declared type; no duplicate keys; cluster-scoped.
        user.email                User      deny     no        native        spec.email is set, at most 254 \
        characters, no white space; with \"@\", a plausible address.
        user.email-unique         User      deny     no        webhook only  No two Users share an email (trimmed, \
        Unicode-aware case-insensitive).
        user.password-deprecated  User      warn     yes       native        spec.password and spec.old_password \
        are deprecated; the mutating webhook removes them.
        user.state                User      deny     no        native        spec.state, when set, is active, \
        disabled, locked or invalid.
        user.state-consistency    User      deny     yes       native        spec.is_disabled is true exactly when \
        spec.state is \"disabled\"; the missing one is filled.
        user.formats              User      deny     no        native        last_login_time is RFC 3339, \
        webhookUrl an absolute https URL, groups unique and non-empty.
        user.name-hash            User      off      no        webhook only  metadata.name equals md5(lowercased \
        spec.email) in hex (off by default).
        identity.schema           Identity  deny     no        native        Only Identity's fields with their \
        types: extra is string→string, user an ObjectReference.
        identity.required         Identity  deny     no        native        providerName, providerUserName and \
        user are set; user.name and user.uid both.
        identity.name             Identity  deny     no        native        metadata.name is \
        providerName:providerUserName; OpenShift's path-segment name rules.
        identity.immutable        Identity  deny     no        native        On UPDATE, providerName and \
        providerUserName do not change.
        identity.user-exists      Identity  off      no        webhook only  user.name names a known User (off by \
        default: Users often come after identities).

        Webhook only (no ValidatingAdmissionPolicy from `identity-guard policies`):
          user.email-unique: needs the other Users: a policy sees one object
          user.name-hash: needs MD5: CEL has no hash functions
          identity.user-exists: needs the other Users: a policy sees one object

        """

    @Test("rules as text, in process")
    func rulesText() {
        #expect(RulesCommand.render(format: .text) == Self.expectedText)
    }

    @Test("rules as JSON lists every rule with its default enforcement")
    func rulesJSON() throws {
        let listing = try JSONReader.parse(RulesCommand.render(format: .json))
        let rules = try #require(listing["rules"]?.arrayValue)
        #expect(rules.count == RuleCatalog.all.count)
        #expect(rules.first == [
            "id": "user.schema", "kind": "User", "apiVersion": "auth.alauda.io/v1", "defaultEnforcement": "deny",
            "mutating": false,
            "summary": "Only the seed's fields, each with its declared type; no duplicate keys; cluster-scoped.",
            "native": ["available": true],
        ])
        #expect(rules.compactMap { $0["native"]?["available"] == false ? $0["id"]?.stringValue : nil }
            == ["user.email-unique", "user.name-hash", "identity.user-exists"])
        #expect(rules.compactMap { $0["mutating"] == true ? $0["id"]?.stringValue : nil }
            == ["user.password-deprecated", "user.state-consistency"])
    }

    @Test("the executable prints the same listing and exits 0")
    func rulesSubprocess() throws {
        let result = try Subprocess.run(Subprocess.identityGuard.path, ["rules"])
        #expect(result.status == 0)
        #expect(result.standardOutput == Self.expectedText)
        #expect(result.standardError.isEmpty)
        let json = try Subprocess.run(Subprocess.identityGuard.path, ["rules", "--format", "json"])
        #expect(json.status == 0)
        #expect(try JSONReader.parse(json.standardOutput) == JSONReader.parse(RulesCommand.render(format: .json)))
    }

    @Test("policies: the executable prints what render gives; an unusable configuration exits 2")
    func policiesCommand() throws {
        let yaml = try Subprocess.run(Subprocess.identityGuard.path, ["policies"])
        #expect(yaml.status == 0)
        #expect(yaml.standardOutput == PoliciesCommand.render(configuration: .defaults, mode: .native, output: .yaml))
        #expect(yaml.standardOutput.hasPrefix("apiVersion: admissionregistration.k8s.io/v1\n"
            + "kind: ValidatingAdmissionPolicy\nmetadata:\n  name: identity-guard-user.schema\n"))
        let hybrid = try Subprocess.run(Subprocess.identityGuard.path, ["policies", "--mode", "hybrid"])
        #expect(hybrid.standardOutput.contains("kind: ValidatingWebhookConfiguration\n"))
        #expect(!hybrid.standardOutput.contains("kind: MutatingWebhookConfiguration\n"))
        let outcome = PoliciesCommand.execute(configurationFile: "/nonexistent/config.yaml")
        #expect(outcome == CommandOutcome(
            standardError: "identity-guard: /nonexistent/config.yaml: invalid configuration: cannot read the file\n",
            status: 2
        ))
    }

    @Test("version, and a usage error for an unknown format")
    func versionAndUsage() throws {
        let version = try Subprocess.run(Subprocess.identityGuard.path, ["version"])
        #expect(version.status == 0)
        #expect(version.standardOutput == "identity-guard \(IdentityGuardVersion.current)\n")
        let bad = try Subprocess.run(Subprocess.identityGuard.path, ["rules", "--format", "xml"])
        #expect(bad.status == 64)
        #expect(bad.standardError.contains("The value 'xml' is invalid for '--format <format>'"))
        #expect(bad.standardOutput.isEmpty)
    }

    @Test("serve: a certificate or kubeconfig it cannot use is a start-up error (exit 1, one line), not a usage error")
    func serveStartupErrors() throws {
        let certificate = try Subprocess.run(Subprocess.identityGuard.path, [
            "serve", "--tls-cert", "/nonexistent/tls.crt", "--tls-key", "/nonexistent/tls.key", "--port", "0",
            "--metrics-port", "0", "--no-cluster",
        ])
        #expect(certificate.status == 1)
        #expect(certificate.standardOutput == "")
        #expect(certificate.standardError.hasPrefix("identity-guard serve: cannot read the certificate file "
            + "/nonexistent/tls.crt"))
        #expect(!certificate.standardError.contains("Usage:"))
        let kubeconfig = try Subprocess.run(Subprocess.identityGuard.path, [
            "serve", "--dev", "--kubeconfig", "/nonexistent/kubeconfig", "--port", "0", "--metrics-port", "0",
        ])
        #expect(kubeconfig.status == 1)
        #expect(kubeconfig.standardOutput == "")
        #expect(kubeconfig.standardError == "identity-guard serve: cannot read the kubeconfig /nonexistent/kubeconfig\n")
        let usage = try Subprocess.run(Subprocess.identityGuard.path, ["serve", "--port", "0"])
        #expect(usage.status == 64)
        #expect(usage.standardError.contains("--tls-cert and --tls-key are required"))
        let claims = try Subprocess.run(Subprocess.identityGuard.path, ["serve", "--dev", "--no-cluster",
                                                                        "--claims", "lease"])
        #expect(claims.status == 64)
        #expect(claims.standardError.contains("--claims lease needs a cluster; it cannot go with --no-cluster"))
        let audit = try Subprocess.run(Subprocess.identityGuard.path, ["serve", "--dev", "--no-cluster",
                                                                       "--audit-interval", "10m"])
        #expect(audit.status == 64)
        #expect(audit.standardError.contains("--audit-interval needs a cluster; it cannot go with --no-cluster"))
        let badDuration = try Subprocess.run(Subprocess.identityGuard.path, ["serve", "--dev", "--audit-interval",
                                                                             "ten minutes"])
        #expect(badDuration.status == 64)
        #expect(badDuration.standardError.contains("--audit-interval"))
        // 0s is a shutdown delay (stop at once), never an audit interval.
        let zeroInterval = try Subprocess.run(Subprocess.identityGuard.path, ["serve", "--dev", "--audit-interval",
                                                                              "0s"])
        #expect(zeroInterval.status == 64)
        #expect(zeroInterval.standardError.contains("--audit-interval must be positive"))
        let badDelay = try Subprocess.run(Subprocess.identityGuard.path, ["serve", "--dev", "--shutdown-delay", "-1s"])
        #expect(badDelay.status == 64)
        #expect(badDelay.standardError.contains("--shutdown-delay"))
        let help = try Subprocess.run(Subprocess.identityGuard.path, ["serve", "--help"])
        #expect(help.standardOutput.contains("(default: 5s)"), "the delay's default is shown as the manager's")
    }

    @Test("audit: where the cluster is must be said; a usage error exits 2, an unreadable kubeconfig 2")
    func auditArguments() throws {
        let none = try Subprocess.run(Subprocess.identityGuard.path, ["audit"])
        #expect(none.status == 2)
        #expect(none.standardError.contains("choose where the cluster is: --kubeconfig FILE or --in-cluster"))
        let missing = try Subprocess.run(Subprocess.identityGuard.path, ["audit", "--kubeconfig", "/nonexistent/kc"])
        #expect(missing.status == 2)
        #expect(missing.standardError == "identity-guard: cannot read the kubeconfig /nonexistent/kc\n")
        let format = try Subprocess.run(Subprocess.identityGuard.path, ["audit", "--in-cluster", "--format", "xml"])
        #expect(format.status == 2)
    }
}
