import ClusterAudit
import ClusterCache
import Foundation
import IdentityGuardCLI
import IdentityGuardService
import IdentityGuardTesting
import IdentityRules
import MetricsTestKit
import WebhookServer
import KubeJSON
import NIOHTTP1
import NIOSSL
import Testing

/// `identity-guard audit` against a real apiserver holding objects stored while no webhook guarded them.
@Suite("Audit of what a real apiserver stores", .envtest, .serialized,
       .enabled(if: EnvtestControlPlane.shouldRun, EnvtestControlPlane.skipReason), .timeLimit(.minutes(3)))
struct AuditTests {
    static let users = "/apis/auth.alauda.io/v1/users"
    static let identities = "/apis/user.openshift.io/v1/identities"

    /// The Identity kind, cluster-scoped, keeping every field (deploy/ installs only the users CRD).
    static let identityCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "identities.user.openshift.io"],
        "spec": [
            "group": "user.openshift.io", "scope": "Cluster",
            "names": ["kind": "Identity", "listKind": "IdentityList", "plural": "identities", "singular": "identity"],
            "versions": [[
                "name": "v1", "served": true, "storage": true,
                "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
            ]],
        ],
    ]

    /// The Policy Report API's ClusterPolicyReport (wgpolicyk8s.io v1alpha2), written from its published schema:
    /// the fields identity-guard writes, with their types and enums, so that a wrong field is refused.
    static let policyReportCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "clusterpolicyreports.wgpolicyk8s.io"],
        "spec": [
            "group": "wgpolicyk8s.io", "scope": "Cluster",
            "names": ["kind": "ClusterPolicyReport", "listKind": "ClusterPolicyReportList",
                      "plural": "clusterpolicyreports", "singular": "clusterpolicyreport", "shortNames": ["cpolr"]],
            "versions": [[
                "name": "v1alpha2", "served": true, "storage": true,
                "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": [
                        "apiVersion": ["type": "string"], "kind": ["type": "string"], "metadata": ["type": "object"],
                        "results": ["type": "array", "items": [
                            "type": "object", "required": ["policy"],
                            "properties": [
                                "category": ["type": "string"], "message": ["type": "string"],
                                "policy": ["type": "string"], "rule": ["type": "string"],
                                "properties": ["type": "object", "additionalProperties": ["type": "string"]],
                                "resources": ["type": "array", "items": ["type": "object", "properties": [
                                    "apiVersion": ["type": "string"], "fieldPath": ["type": "string"],
                                    "kind": ["type": "string"], "name": ["type": "string"],
                                    "namespace": ["type": "string"], "resourceVersion": ["type": "string"],
                                    "uid": ["type": "string"],
                                ]]],
                                "result": ["type": "string", "enum": ["pass", "fail", "warn", "error", "skip"]],
                                "scored": ["type": "boolean"],
                                "severity": ["type": "string", "enum": ["high", "low", "medium"]],
                                "source": ["type": "string"],
                                "timestamp": ["type": "object", "required": ["nanos", "seconds"], "properties": [
                                    "nanos": ["type": "integer", "format": "int32"],
                                    "seconds": ["type": "integer", "format": "int64"],
                                ]],
                            ],
                        ]],
                        "summary": ["type": "object", "properties": [
                            "error": ["type": "integer"], "fail": ["type": "integer"], "pass": ["type": "integer"],
                            "skip": ["type": "integer"], "warn": ["type": "integer"],
                        ]],
                    ],
                ]],
            ]],
        ],
    ]

    static func user(_ name: String, _ spec: JSONValue) -> JSONValue {
        ["apiVersion": "auth.alauda.io/v1", "kind": "User", "metadata": ["name": .string(name)], "spec": spec]
    }

    static func identity(_ name: String, user: String, uid: String) -> JSONValue {
        [
            "apiVersion": "user.openshift.io/v1", "kind": "Identity", "metadata": ["name": .string(name)],
            "providerName": "github", "providerUserName": .string(String(name.dropFirst("github-".count))),
            "user": ["name": .string(user), "uid": .string(uid)],
        ]
    }

    @Test("audit reports exactly the planted findings, in every format; the PolicyReport is accepted by the apiserver")
    func planted() async throws {
        let plane = try EnvtestScope.plane()
        let crd = try Repository.object(try Repository.kustomize("deploy"), kind: "CustomResourceDefinition")
        try await plane.installCRD(crd)
        try await plane.installCRD(Self.identityCRD)
        // Stored while no webhook guards them.
        try await plane.create(Self.users, Self.user("dup-a", ["email": "Dup@example.com"]))
        try await plane.create(Self.users, Self.user("dup-b", ["email": "dup@example.com"]))
        try await plane.create(Self.users, Self.user("secret", ["email": "secret@example.com", "password": "hunter2"]))
        try await plane.create(Self.users, Self.user("contra", [
            "email": "contra@example.com", "state": "disabled", "is_disabled": false,
        ]))
        let clean = try await plane.create(Self.users, Self.user("clean", ["email": "clean@example.com"]))
        let cleanUID = try #require(clean["metadata"]?["uid"]?.stringValue)
        try await plane.create(Self.identities, Self.identity("github-clean", user: "clean", uid: cleanUID))
        try await plane.create(Self.identities, Self.identity("github-ghost", user: "ghost", uid: "uid-of-nobody"))
        try await plane.create(Self.identities, Self.identity("github-wronguid", user: "clean", uid: "not-cleans"))

        let credentials = try plane.credentials()
        let text = await AuditCommand.execute(credentials: credentials)
        #expect(text.status == 1)
        #expect(text.standardError == "")
        #expect(text.standardOutput == """
            cluster:User/contra: user.state-consistency: spec.is_disabled: Invalid value: false: must be true when \
            spec.state is "disabled"
            cluster:User/dup-a: user.email-unique: spec.email: Duplicate value: "Dup@example.com": already used by \
            User "dup-b"
            cluster:User/dup-b: user.email-unique: spec.email: Duplicate value: "dup@example.com": already used by \
            User "dup-a"
            cluster:User/secret: user.password-deprecated: spec.password: Forbidden: deprecated: plain-text passwords \
            must not be stored
            cluster:Identity/github-clean: identity.name: metadata.name: Invalid value: "github-clean": must be \
            github:clean
            cluster:Identity/github-ghost: identity.name: metadata.name: Invalid value: "github-ghost": must be \
            github:ghost
            cluster:Identity/github-ghost: identity.user-exists: user.name: Invalid value: "ghost": no User named \
            "ghost" exists
            cluster:Identity/github-wronguid: identity.name: metadata.name: Invalid value: "github-wronguid": must be \
            github:wronguid
            cluster:Identity/github-wronguid: identity.user-exists: user.uid: Invalid value: "not-cleans": does not \
            match the uid of User "clean" (\(cleanUID))
            8 documents, 8 checked, 0 skipped, 6 denied, 1 warnings

            """)

        let json = try JSONReader.parse(await AuditCommand.execute(credentials: credentials, format: .json)
            .standardOutput)
        let results = try #require(json["results"]?.arrayValue)
        #expect(results.count == 9)
        #expect(results.first == [
            "file": "cluster:User/contra", "document": 2, "kind": "User", "name": "contra",
            "rule": "user.state-consistency", "enforcement": "deny", "field": "spec.is_disabled",
            "message": #"spec.is_disabled: Invalid value: false: must be true when spec.state is "disabled""#,
        ])
        #expect(json["summary"] == ["documents": 8, "checked": 8, "skipped": 0, "denied": 6, "warnings": 1])

        let sarif = try JSONReader.parse(await AuditCommand.execute(credentials: credentials, format: .sarif)
            .standardOutput)
        let sarifResults = try #require(sarif["runs"]?.arrayValue?.first?["results"]?.arrayValue)
        #expect(sarifResults.count == 9)
        #expect(sarifResults.first?["locations"] == [["physicalLocation": ["artifactLocation": [
            "uri": "cluster%3AUser/contra"]]]])

        let junit = await AuditCommand.execute(credentials: credentials, format: .junit).standardOutput
        #expect(junit.contains(#"<testsuite name="cluster:User" tests="5" failures="3""#))
        #expect(junit.contains(#"<testsuite name="cluster:Identity" tests="3" failures="3""#))

        let policy = await AuditCommand.execute(credentials: credentials, format: .policyreport, now: 1_800_000_000)
        #expect(policy.status == 1)
        let report = try JSONReader.parse(policy.standardOutput)
        #expect(report["summary"] == ["pass": 1, "fail": 8, "warn": 1, "error": 0, "skip": 0])
        let policyResults = try #require(report["results"]?.arrayValue)
        #expect(policyResults.count == 9)
        let secret = try #require(policyResults.first { $0["policy"] == "user.password-deprecated" })
        #expect(secret["result"] == "warn")
        #expect(secret["resources"]?.arrayValue?.first?["name"] == "secret")
        #expect(secret["resources"]?.arrayValue?.first?["uid"]?.stringValue?.isEmpty == false)
        #expect(!policy.standardOutput.contains("hunter2"))
        try await plane.installCRD(Self.policyReportCRD)
        let stored = try await plane.request(.POST, "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports"
                                             + "?fieldValidation=Strict", body: report)
        #expect(stored.status == 201, "\(stored.body.map { JSONWriter.string($0) } ?? "")")
        #expect(stored.body?["results"]?.arrayValue?.count == 9)
    }

    @Test("paged: two passes in pages of 2 give the audit of the whole objects, in every format")
    func pagedEqualsWhole() async throws {
        let plane = try EnvtestScope.plane()
        let crd = try Repository.object(try Repository.kustomize("deploy"), kind: "CustomResourceDefinition")
        if try await plane.request(.GET, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/users.auth.alauda.io")
            .status != 200 { try await plane.installCRD(crd) }
        if try await plane.request(.GET, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                                   + "identities.user.openshift.io").status != 200 {
            try await plane.installCRD(Self.identityCRD)
        }
        // Shared emails across page boundaries (first and last pages), a dangling Identity and a uid mismatch.
        var uids: [String: String] = [:]
        for index in 0..<11 {
            let email = index % 5 == 0 ? "Shared@Example.com" : "page-\(index)@example.com"
            let spec: JSONValue = index == 3 ? ["email": .string(email), "state": "sleeping"]
                : ["email": .string(email)]
            let stored = try await plane.create(Self.users, Self.user("page-\(index)", spec))
            uids["page-\(index)"] = stored["metadata"]?["uid"]?.stringValue
        }
        for index in 0..<5 {
            let uid = index == 2 ? "wrong" : uids["page-\(index)"] ?? ""
            try await plane.create(Self.identities, Self.identity("github-page\(index)",
                                                                  user: index == 4 ? "nobody" : "page-\(index)",
                                                                  uid: uid))
        }

        let credentials = try plane.credentials()
        let client = try KubernetesClient(credentials: credentials)
        let auditor = ClusterAuditor()
        let whole: FindingReport
        let paged: PagedAudit.Outcome
        let pagedFindingsOnly: PagedAudit.Outcome
        do {
            let users = try await ListPager.collect(client: client, kind: .user) { $0 }.items
            let identities = try await ListPager.collect(client: client, kind: .identity) { $0 }.items
            whole = auditor.audit(users: users, identities: identities)
            paged = try await PagedAudit(auditor: auditor, pageSize: 2).run(client: client, keepingClean: true)
            pagedFindingsOnly = try await PagedAudit(auditor: auditor, pageSize: 2).run(client: client)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        #expect(paged.identitiesServed)
        #expect(paged.report.summary == whole.summary)
        #expect(paged.report.sections.map(\.name) == whole.sections.map(\.name))
        #expect(paged.report.sections.map(\.verdicts) == whole.sections.map(\.verdicts))
        #expect(pagedFindingsOnly.report.summary == whole.summary)
        #expect(pagedFindingsOnly.report.findings == whole.findings)
        #expect(pagedFindingsOnly.report.sections.flatMap(\.verdicts).allSatisfy { !$0.findings.isEmpty })
        // page-0 and page-10 (first and last pages) share an email: the index saw both before either was checked.
        #expect(whole.findings.contains { $0.object.name == "page-0" && $0.message.contains("\"page-10\"") })

        for format in [AuditFormat.text, .json, .sarif, .junit, .policyreport] {
            let small = await AuditCommand.execute(credentials: credentials, format: format, now: 1, pageSize: 2)
            let large = await AuditCommand.execute(credentials: credentials, format: format, now: 1)
            #expect(small.standardOutput == large.standardOutput, "\(format)")
            #expect(small.status == large.status)
        }
    }

    @Test("serve's periodic audit lists in pages: metrics follow a fix, a new violation, the apiserver away and back")
    func periodic() async throws {
        let plane = try EnvtestScope.plane()
        try await plane.installCRD(try Repository.object(try Repository.kustomize("deploy"),
                                                         kind: "CustomResourceDefinition"))
        try await plane.installCRD(Self.identityCRD)
        let credentials = try plane.credentials()
        let client = try KubernetesClient(credentials: credentials)
        let metrics = TestMetrics()
        let logs = LogCapture()
        let audit = PeriodicAudit(interval: .milliseconds(200), client: client, auditor: ClusterAuditor(),
                                  pageSize: 2, factory: metrics, logger: logs.logger)
        func violations(_ rule: String) throws -> Double {
            try metrics.expectGauge("identity_guard_audit_violations", [("rule", rule)]).lastValue ?? -1
        }
        func findingLogs(_ name: String) -> Int {
            logs.events("audit finding").filter { $0["object"]?.stringValue == "cluster:User/\(name)" }.count
        }
        do {
            #expect(await audit.runOnce() != nil)
            let baseState = try violations("user.state")
            let basePasswords = try violations("user.password-deprecated")

            try await plane.create(Self.users, Self.user("p-bad", ["email": "p-bad@example.com", "state": "zzz"]))
            await audit.runOnce()
            #expect(try violations("user.state") == baseState + 1)
            #expect(findingLogs("p-bad") == 1)

            // Fixed: the count goes down, and nothing new is logged.
            var fixed = try #require(try await plane.request(.GET, Self.users + "/p-bad").body?.objectValue)
            fixed["spec"] = ["email": "p-bad@example.com", "state": "active"]
            #expect(try await plane.request(.PUT, Self.users + "/p-bad", body: .object(fixed)).status == 200)
            await audit.runOnce()
            #expect(try violations("user.state") == baseState)
            #expect(findingLogs("p-bad") == 1)

            // A new violation: counted, and logged once however many audits see it.
            try await plane.create(Self.users, Self.user("p-new", ["email": "p-new@example.com",
                                                                    "old_password": "hunter2"]))
            await audit.runOnce()
            await audit.runOnce()
            #expect(try violations("user.password-deprecated") == basePasswords + 1)
            #expect(findingLogs("p-new") == 1)
            #expect(!logs.lines.contains { $0.contains("hunter2") })

            // The service's own loop audits every interval: runs counted from here on are the loop's, and a
            // violation stored now is found and logged with no runOnce() call.
            func runs() -> Int {
                (try? metrics.expectGauge("identity_guard_audit_last_run_timestamp_seconds").values.count) ?? 0
            }
            let runsBefore = runs()
            let loop = Task { try? await audit.run() }
            #expect(await eventually { runs() >= runsBefore + 3 }, "\(runs()) after \(runsBefore)")
            try await plane.create(Self.users, Self.user("p-loop", ["email": "p-loop@example.com", "state": "zzz"]))
            #expect(await eventually { findingLogs("p-loop") == 1 })
            #expect(try violations("user.state") == baseState + 1)
            loop.cancel()
            await loop.value

            // The apiserver away: the run is logged as failed and the gauges keep the last audit's counts.
            let counted = try violations("user.state")
            plane.stopAPIServer()
            #expect(await audit.runOnce() == nil)
            #expect(logs.events("audit failed: cannot list the stored objects").count >= 1)
            #expect(try violations("user.state") == counted)
            // ... and back: the next run reads the cluster again and finds what was stored meanwhile.
            try await plane.startAPIServer()
            try await plane.create(Self.users, Self.user("p-back", ["email": "p-back@example.com", "state": "zzz"]))
            #expect(await eventually(within: .seconds(30)) { await audit.runOnce() != nil })
            #expect(try violations("user.state") == counted + 1)
            #expect(findingLogs("p-back") == 1)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }
}
