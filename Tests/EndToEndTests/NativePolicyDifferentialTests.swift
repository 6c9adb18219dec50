import Admission
import Foundation
import IdentityGuardTesting
import IdentityRules
import KubeJSON
import NativePolicies
import NIOHTTP1
import Testing
import WebhookServer

/// The generated ValidatingAdmissionPolicies and MutatingAdmissionPolicies decide what the webhook decides,
/// through a real kube-apiserver: the same seeded objects are created with `dryRun=All` once with only the
/// webhook registered and once with only `identity-guard policies`' objects, and the verdict (stored or refused,
/// with the HTTP status) and the object the apiserver would store must be identical — for each of the three CRD
/// shapes a platform's `User` CRD may have.
///
/// Both modes run the same configuration: deploy/'s, with the rules no policy can express off (they need other
/// objects or MD5; README, "Native admission policies"). `DIFFERENTIAL_OBJECTS` sets the number of Users per
/// shape (Identities are a third of it): 120 in CI, thousands from Benchmarks/native-differential.sh.
@Suite("Native policies equal the webhook through a real kube-apiserver", .envtest, .serialized,
       .enabled(if: EnvtestControlPlane.shouldRun, EnvtestControlPlane.skipReason), .timeLimit(.minutes(20)))
struct NativePolicyDifferentialTests {
    static let users = RealAPIServerTests.users
    static let identities = "/apis/user.openshift.io/v1/identities"
    static let admission = "/apis/admissionregistration.k8s.io/v1/"

    /// Exemptions by name pattern, by label and by requester group with a name: the corpus has objects each
    /// one covers, and the apiserver's admin (group `system:masters`) sends every request.
    static let configuration = Result {
        try RuleConfiguration(document: [
            "rules": [
                "user.password-deprecated": "warn", "user.email-unique": "off", "user.name-hash": "off",
                "identity.user-exists": "off",
            ],
            "exemptions": [
                ["name": "installer", "rules": ["user.state", "user.state-consistency"], "users": ["u-1*"]],
                ["name": "migration", "rules": ["user.formats", "user.password-deprecated"],
                 "labels": ["migration": "true"]],
                ["name": "break-glass", "rules": ["identity.name"], "users": ["i-1*"],
                 "requesterGroups": ["system:masters"]],
            ],
        ])
    }

    static var userCount: Int {
        ProcessInfo.processInfo.environment["DIFFERENTIAL_OBJECTS"].flatMap(Int.init) ?? 120
    }

    /// How the platform's CRDs may describe the objects (the policies must not assume one).
    enum Shape: String, CaseIterable, CustomTestStringConvertible {
        /// Every field typed, unknown fields pruned.
        case structural
        /// Typed, unknown fields kept: deploy/'s User CRD.
        case preserving
        /// No schema beyond "an object", everything kept.
        case untyped

        var testDescription: String { rawValue }

        /// The User CRD of this shape, from deploy/'s.
        func userCRD() throws -> JSONValue {
            let crd = try Repository.object(try RealAPIServerTests.deploy.get(), kind: "CustomResourceDefinition")
            return try Self.replacingSchema(of: crd) { schema in
                switch self {
                case .preserving:
                    return schema
                case .structural:
                    guard var root = schema.objectValue, var properties = root["properties"]?.objectValue,
                        var spec = properties["spec"]?.objectValue
                    else { throw TestFailure("deploy/'s CRD has no spec schema") }
                    spec["x-kubernetes-preserve-unknown-fields"] = nil
                    properties["spec"] = .object(spec)
                    root["properties"] = .object(properties)
                    return .object(root)
                case .untyped:
                    return ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
                }
            }
        }

        /// An Identity CRD of this shape (OpenShift serves Identities itself; a CRD stands in for it here).
        func identityCRD() throws -> JSONValue {
            let reference: JSONValue = [
                "type": "object",
                "properties": .object(JSONObject(IdentitySchemaRule.objectReferenceSchema.fields.map {
                    .init(key: $0.name, value: ["type": "string"])
                })),
            ]
            var schema: JSONValue = [
                "type": "object",
                "properties": [
                    "apiVersion": ["type": "string"], "kind": ["type": "string"], "metadata": ["type": "object"],
                    "providerName": ["type": "string"], "providerUserName": ["type": "string"],
                    "user": reference, "extra": ["type": "object", "additionalProperties": ["type": "string"]],
                ],
            ]
            switch self {
            case .structural: break
            case .preserving: schema = schema.adding("x-kubernetes-preserve-unknown-fields", true)
            case .untyped: schema = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
            }
            return [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": "identities.user.openshift.io"],
                "spec": [
                    "group": "user.openshift.io", "scope": "Cluster",
                    "names": ["plural": "identities", "singular": "identity", "kind": "Identity",
                              "listKind": "IdentityList"],
                    "versions": [["name": "v1", "served": true, "storage": true,
                                  "schema": ["openAPIV3Schema": schema]]],
                ],
            ]
        }

        private static func replacingSchema(of crd: JSONValue, _ change: (JSONValue) throws -> JSONValue) throws
            -> JSONValue
        {
            guard var spec = crd["spec"]?.objectValue, var versions = spec["versions"]?.arrayValue,
                var version = versions.first?.objectValue,
                let schema = version["schema"]?["openAPIV3Schema"]
            else { throw TestFailure("deploy/'s CRD has no schema") }
            version["schema"] = ["openAPIV3Schema": try change(schema)]
            versions[0] = .object(version)
            spec["versions"] = .array(versions)
            return crd.adding("spec", .object(spec))
        }
    }

    /// What the apiserver answered a dry-run CREATE or UPDATE: its status, and the object it would store (without
    /// the fields every write makes up: uid, creation time, managed fields, resource version, generation).
    struct Outcome: Equatable, CustomStringConvertible {
        var status: Int
        var stored: String?
        var message: String?

        static func == (left: Outcome, right: Outcome) -> Bool {
            left.status == right.status && left.stored == right.stored
        }

        var description: String {
            "\(status) " + (stored ?? message ?? "")
        }
    }

    /// Objects each exemption covers, beside those the generator happens to make: one that only the installer
    /// exemption lets through, one for the migration label (and its false twin), one break-glass Identity.
    static let exemptedObjects: [JSONValue] = [
        RealAPIServerTests.user("u-1-fixture", ["email": "installer@example.com", "state": "sleeping"]),
        RealAPIServerTests.user("u-1-fixture-disabled", ["email": "i@example.com", "state": "active",
                                                         "is_disabled": true]),
        RealAPIServerTests.user("migrated", [
            "email": "migrated@example.com", "groups": ["a", "a", " "], "password": "x",
        ]).adding("metadata", ["name": "migrated", "labels": ["migration": "true"]]),
        RealAPIServerTests.user("not-migrated", ["email": "n@example.com", "groups": ["a", "a"]])
            .adding("metadata", ["name": "not-migrated", "labels": ["migration": "false"]]),
        ["apiVersion": "user.openshift.io/v1", "kind": "Identity", "metadata": ["name": "i-1-fixture"],
         "providerName": "github", "providerUserName": "alice", "user": ["name": "alice", "uid": "1"]],
    ]

    static func outcome(_ reply: (status: Int, body: JSONValue?)) -> Outcome {
        guard reply.status == 201 || reply.status == 200, var object = reply.body?.objectValue,
            var metadata = object["metadata"]?.objectValue
        else { return Outcome(status: reply.status, message: reply.body?["message"]?.stringValue) }
        // `generation` too: it is the apiserver's count of spec changes, and a MutatingAdmissionPolicy re-encodes
        // the object, turning a float with an integral value (`-0.0`, `2.0`) into the integer it is stored as —
        // so an UPDATE writing `2.0` over a stored `2` bumps the generation through the webhook and not through
        // the policies. The stored content, compared in full, is the same (README, "Native admission policies").
        for volatile in ["uid", "creationTimestamp", "managedFields", "resourceVersion", "generation"] {
            metadata[volatile] = nil
        }
        object["metadata"] = .object(metadata)
        return Outcome(status: reply.status, stored: JSONWriter.string(JSONValue.object(object).sortedKeys))
    }

    static func path(_ object: JSONValue) -> String {
        object["kind"] == "Identity" ? identities : users
    }

    /// Dry-run CREATEs of `objects`, then dry-run UPDATEs (PUT) with `updates`.
    static func sendAll(_ objects: [JSONValue], updates: [JSONValue], on plane: EnvtestControlPlane) async throws
        -> [Outcome]
    {
        var outcomes: [Outcome] = []
        for object in objects {
            outcomes.append(outcome(try await plane.request(.POST, path(object) + "?dryRun=All", body: object)))
        }
        for update in updates {
            let name = update["metadata"]?["name"]?.stringValue ?? ""
            outcomes.append(outcome(try await plane.request(.PUT, path(update) + "/\(name)?dryRun=All", body: update)))
        }
        return outcomes
    }

    /// Stores `bases` with no admission registered and returns them as stored (with resourceVersion).
    static func store(_ bases: [JSONValue], on plane: EnvtestControlPlane) async throws -> [JSONValue] {
        var stored: [JSONValue] = []
        for base in bases { stored.append(try await plane.create(path(base), base)) }
        return stored
    }

    /// Replaces both CRDs with those of `shape`, waiting until the old ones are gone and the new ones served.
    static func install(_ shape: Shape, on plane: EnvtestControlPlane) async throws {
        for name in ["users.auth.alauda.io", "identities.user.openshift.io"] {
            let path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + name
            _ = try await plane.request(.DELETE, path)
            let gone = try await eventually(within: .seconds(60)) { try await plane.request(.GET, path).status == 404 }
            guard gone else { throw TestFailure("CRD \(name) was not deleted") }
        }
        try await plane.installCRD(try shape.userCRD())
        try await plane.installCRD(try shape.identityCRD())
    }

    /// The generated objects' collection paths.
    static func collection(_ object: JSONValue) -> String {
        let kind = (object["kind"]?.stringValue ?? "").lowercased()
        return admission + (kind.hasSuffix("policy") ? kind.dropLast() + "ies" : kind + "s")
    }

    /// Creates the policies and bindings, then waits until the apiserver applies them (its policy cache takes
    /// a moment): a validating and a mutating policy of each kind answer a probe.
    static func applyPolicies(_ objects: [JSONValue], on plane: EnvtestControlPlane) async throws {
        for object in objects { try await plane.create(collection(object), object) }
        let probeUser = RealAPIServerTests.user("policy-probe", ["email": "p@example.com", "state": "zzz"])
        let probeScrub = RealAPIServerTests.user("scrub-probe", ["email": "p@example.com", "password": "x",
                                                                 "state": "disabled"])
        let probeIdentity: JSONValue = ["apiVersion": "user.openshift.io/v1", "kind": "Identity",
                                        "metadata": ["name": "probe"], "providerName": "p", "providerUserName": "u",
                                        "user": ["name": "u", "uid": "1"]]
        let applied = try await eventually(within: .seconds(60)) {
            let state = try await plane.request(.POST, users + "?dryRun=All", body: probeUser)
            let scrub = try await plane.request(.POST, users + "?dryRun=All", body: probeScrub)
            let identity = try await plane.request(.POST, identities + "?dryRun=All", body: probeIdentity)
            return state.body?["message"]?.stringValue?.contains("identity-guard-user.state") == true
                && scrub.status == 201 && scrub.body?["spec"]?["password"] == nil
                && scrub.body?["spec"]?["is_disabled"] == true
                && identity.body?["message"]?.stringValue?.contains("identity-guard-identity.name") == true
        }
        guard applied else { throw TestFailure("the apiserver never applied the generated policies") }
        // The probes show that the informer has delivered; the rest of the same batch follow within a moment.
        try await Task.sleep(for: .seconds(2))
    }

    static func removePolicies(_ objects: [JSONValue], on plane: EnvtestControlPlane) async throws {
        for object in objects.reversed() {
            _ = try await plane.request(.DELETE, collection(object) + "/"
                                        + (object["metadata"]?["name"]?.stringValue ?? ""))
        }
        let probe = RealAPIServerTests.user("unpolicy-probe", ["email": "u@example.com", "state": "zzz"])
        let cleared = try await eventually(within: .seconds(60)) {
            try await plane.request(.POST, users + "?dryRun=All", body: probe).status == 201
        }
        guard cleared else { throw TestFailure("the generated policies were never let go of") }
        try await Task.sleep(for: .seconds(2))
    }

    @Test("the same verdict and the same stored object, webhook or policies", arguments: Shape.allCases)
    func differential(shape: Shape) async throws {
        let plane = try EnvtestScope.plane()
        let configuration = try Self.configuration.get()
        try await Self.install(shape, on: plane)
        var generator = AdmissionObjectGenerator(seed: 0x1D_6A4D + UInt64(Shape.allCases.firstIndex(of: shape)!))
        let objects = generator.users(Self.userCount) + generator.identities(max(1, Self.userCount / 3))
            + Self.exemptedObjects
        let stored = try await Self.store(generator.bases(max(1, Self.userCount / 4)), on: plane)
        let updates = stored.enumerated().map { generator.edited($0.element, index: $0.offset) }
        let requests = objects + updates

        // Only the webhook.
        var viaWebhook: [Outcome] = []
        try await RealAPIServerTests.withWebhook(on: plane, configuration: configuration) { server, _ in
            try await RealAPIServerTests.register(server, on: plane)
            viaWebhook = try await Self.sendAll(objects, updates: updates, on: plane)
        }

        // Only the policies.
        let policies = NativePolicyGenerator(configuration: configuration).objects()
        try await Self.applyPolicies(policies, on: plane)
        let viaPolicies: [Outcome]
        do {
            viaPolicies = try await Self.sendAll(objects, updates: updates, on: plane)
        } catch {
            try? await Self.removePolicies(policies, on: plane)
            throw error
        }
        try await Self.removePolicies(policies, on: plane)

        var disagreements: [String] = []
        for (index, object) in requests.enumerated() where viaWebhook[index] != viaPolicies[index] {
            disagreements.append("\(JSONWriter.string(object))\n  webhook:  \(viaWebhook[index])\n"
                                 + "  policies: \(viaPolicies[index])")
        }
        let shown = disagreements.prefix(10).joined(separator: "\n")
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(requests.count) disagree:\n\(shown)")
        // The corpus is not one-sided: both verdicts occur, and the mutating policies change what is stored.
        let created = viaWebhook.prefix(objects.count).filter { $0.stored != nil }.count
        #expect(created > objects.count / 10 && created < objects.count * 9 / 10, "\(created) of \(objects.count)")
        let updated = viaWebhook.suffix(updates.count).filter { $0.stored != nil }.count
        #expect(updated > 0 && updated < updates.count, "\(updated) of \(updates.count) updates stored")
        // Each exemption let through, in both modes, objects the rules alone refuse.
        var rulesAlone = configuration
        rulesAlone.exemptions = []
        let plain = RuleEngine(configuration: rulesAlone)
        var exemptedStores: [String: Int] = [:]
        for (index, object) in objects.enumerated() where viaWebhook[index].stored != nil {
            guard let members = object.objectValue else { continue }
            let kind: ResourceKind = object["kind"] == "Identity" ? .identity : .user
            let denied = plain.validate(RuleSubject(kind: kind, object: members)).denials
            guard !denied.isEmpty else { continue }
            for exemption in configuration.exemptions where denied.allSatisfy({ exemption.covers($0.ruleID) }) {
                exemptedStores[exemption.name, default: 0] += 1
            }
        }
        #expect(Set(exemptedStores.keys) == ["installer", "migration", "break-glass"], "\(exemptedStores)")
        let report = "native differential (\(shape.rawValue)): \(objects.count) creates (\(created) stored), "
            + "\(updates.count) updates (\(updated) stored), \(disagreements.count) disagreements; "
            + "stored by exemption: "
            + exemptedStores.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        FileHandle.standardError.write(Data(report.utf8))
    }

    /// Registers `HybridWebhooks`' narrowed validating webhook with `url:` to `server` and the test CA.
    static func registerHybrid(_ generator: NativePolicyGenerator, _ server: RunningServer,
                               on plane: EnvtestControlPlane) async throws {
        guard var configuration = HybridWebhooks(generator: generator).objects().first?.objectValue,
            var webhooks = configuration["webhooks"]?.arrayValue, var webhook = webhooks.first?.objectValue
        else { throw TestFailure("hybrid mode has no webhook at deploy/'s configuration") }
        let caBundle = Data(server.pki.authority.certificatePEM.utf8).base64EncodedString()
        webhook["clientConfig"] = ["url": .string(server.baseURL + "/validate"), "caBundle": .string(caBundle)]
        webhooks[0] = .object(webhook)
        configuration["webhooks"] = .array(webhooks)
        try await plane.create(admission + "validatingwebhookconfigurations", .object(configuration))
    }

    @Test("hybrid mode: the webhook sees only CREATEs and email changes; while it is down, nothing else is blocked")
    func hybridMode() async throws {
        let plane = try EnvtestScope.plane()
        try await Self.install(.preserving, on: plane)
        let generator = NativePolicyGenerator()  // deploy/'s defaults: user.email-unique is webhook-only
        let policies = generator.objects()
        try await Self.applyPolicies(policies, on: plane)
        let alice = try await plane.create(Self.users, RealAPIServerTests.user("alice", [
            "email": "alice@example.com", "state": "active", "password": "x",
        ]))
        // Stored before the webhook: the policies alone scrubbed the password and filled is_disabled.
        #expect(alice["spec"] == ["email": "alice@example.com", "is_disabled": false, "state": "active"])

        try await RealAPIServerTests.withWebhook(on: plane) { server, cache in
            #expect(await cache.synced(within: .seconds(30)))
            try await Self.registerHybrid(generator, server, on: plane)
            let twin = RealAPIServerTests.user("twin", ["email": "ALICE@example.com"])
            let called = try await eventually(within: .seconds(30)) {
                RealAPIServerTests.denial(try await plane.request(.POST, Self.users + "?dryRun=All", body: twin))?
                    .contains("already used by User \"alice\"") == true
            }
            #expect(called, "the narrowed webhook never refused a duplicate email")
            // The policies still decide the rest, and first: a bad state is their denial.
            let badState = try await plane.request(.POST, Self.users + "?dryRun=All", body: RealAPIServerTests.user(
                "sleepy", ["email": "sleepy@example.com", "state": "sleeping"]))
            #expect(RealAPIServerTests.denial(badState)?.contains("'identity-guard-user.state'") == true)

            // The webhook goes away.
            try await server.stop()
            var stored = try #require(try await plane.request(.GET, Self.users + "/alice").body?.objectValue)
            // An UPDATE that keeps the email never reaches it: stored, with the mutating policy's fill.
            stored["spec"] = ["email": "alice@example.com", "state": "disabled"]
            let kept = try await plane.request(.PUT, Self.users + "/alice?dryRun=All", body: .object(stored))
            #expect(kept.status == 200)
            #expect(kept.body?["spec"]?["is_disabled"] == true)
            // ... and the policies still refuse a bad one.
            stored["spec"] = ["email": "alice@example.com", "state": "sleeping"]
            let refused = try await plane.request(.PUT, Self.users + "/alice?dryRun=All", body: .object(stored))
            #expect(RealAPIServerTests.denial(refused)?.contains("'identity-guard-user.state'") == true)
            // CREATEs and email changes fail closed.
            let create = try await plane.request(.POST, Self.users + "?dryRun=All", body: RealAPIServerTests.user(
                "bob", ["email": "bob@example.com"]))
            #expect(create.status >= 500 || create.status == 403, "\(create.status)")
            #expect(create.body?["message"]?.stringValue?.contains("failed calling webhook") == true)
            stored["spec"] = ["email": "alice@new.example.com", "state": "active"]
            let moved = try await plane.request(.PUT, Self.users + "/alice?dryRun=All", body: .object(stored))
            #expect(moved.body?["message"]?.stringValue?.contains("failed calling webhook") == true)
            // Before withWebhook's clean-up, whose probe the policies would refuse.
            for object in policies.reversed() {
                _ = try await plane.request(.DELETE, Self.collection(object) + "/"
                                            + (object["metadata"]?["name"]?.stringValue ?? ""))
            }
        }
        _ = try await plane.request(.DELETE, Self.users + "/alice")
    }
}
