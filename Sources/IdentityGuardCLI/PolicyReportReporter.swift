import IdentityRules
import KubeJSON
import Manifests

/// `audit --format policyreport`: a `wgpolicyk8s.io/v1alpha2` `ClusterPolicyReport`, the Policy Report API that
/// Kyverno, Trivy and Falco write and dashboards (Policy Reporter, …) read.
///
/// One result per finding: `policy` and `rule` are the rule id, `result` is `fail` (deny) or `warn`, `resources`
/// names the object with its uid, `message` is the apiserver-style message. The summary counts results (`fail`,
/// `warn`) and the objects with none (`pass`). JSON, which `kubectl apply -f` reads.
enum PolicyReportReporter {
    static let name = "identity-guard-audit"

    static func render(_ report: CheckReport, now seconds: Int64) -> String {
        var results: [JSONValue] = []
        var passed = 0
        for file in report.files {
            for verdict in file.verdicts {
                if verdict.findings.isEmpty { passed += 1 }
                let value = verdict.document.value
                var resource: [JSONObject.Member] = [
                    .init(key: "apiVersion", value: value["apiVersion"] ?? .string(verdict.kind?.apiVersion ?? "")),
                    .init(key: "kind", value: value["kind"] ?? .string(verdict.kind?.kind ?? "")),
                    .init(key: "name", value: .string(verdict.document.name)),
                ]
                if let uid = value["metadata"]?["uid"] { resource.append(.init(key: "uid", value: uid)) }
                for finding in verdict.findings {
                    results.append([
                        "policy": .string(finding.rule.rawValue),
                        "rule": .string(finding.rule.rawValue),
                        "result": finding.enforcement == .deny ? "fail" : "warn",
                        "severity": finding.enforcement == .deny ? "high" : "medium",
                        "category": "identity",
                        "source": "identity-guard",
                        "scored": true,
                        "message": .string(finding.message),
                        "properties": ["field": .string(finding.field.description)],
                        "resources": [.object(JSONObject(resource))],
                        "timestamp": ["seconds": .integer(seconds), "nanos": 0],
                    ])
                }
            }
        }
        let findings = report.findings
        let document: JSONValue = [
            "apiVersion": "wgpolicyk8s.io/v1alpha2",
            "kind": "ClusterPolicyReport",
            "metadata": ["name": .string(name), "labels": ["app.kubernetes.io/managed-by": "identity-guard"]],
            "summary": [
                "pass": .integer(Int64(passed)),
                "fail": .integer(Int64(findings.filter { $0.enforcement == .deny }.count)),
                "warn": .integer(Int64(findings.filter { $0.enforcement == .warn }.count)),
                "error": 0,
                "skip": 0,
            ],
            "results": .array(results),
        ]
        return JSONWriter.string(document, indentation: 2) + "\n"
    }
}
