import IdentityRules
import KubeJSON

/// `audit --format policyreport`: a `wgpolicyk8s.io/v1alpha2` `ClusterPolicyReport`, the Policy Report API that
/// Kyverno, Trivy and Falco write and dashboards (Policy Reporter, …) read.
///
/// One result per finding: `policy` and `rule` are the rule id, `result` is `fail` (deny) or `warn`, `resources`
/// names the object with its uid, `message` is the apiserver-style message. The summary counts results (`fail`,
/// `warn`) and the objects with none (`pass`). JSON, which `kubectl apply -f` reads.
enum PolicyReportReporter {
    static let name = "identity-guard-audit"

    static func render(_ report: FindingReport, now seconds: Int64) -> String {
        var results: [JSONValue] = []
        // Counted, not gathered: an audit keeps only the verdicts with findings.
        let passed = report.summary.clean
        for section in report.sections {
            for verdict in section.verdicts {
                let object = verdict.object
                var resource: [JSONObject.Member] = [
                    .init(key: "apiVersion", value: .string(object.apiVersion)),
                    .init(key: "kind", value: .string(object.kind)),
                    .init(key: "name", value: .string(object.name)),
                ]
                if let namespace = object.namespace {
                    resource.append(.init(key: "namespace", value: .string(namespace)))
                }
                if let uid = object.uid { resource.append(.init(key: "uid", value: .string(uid))) }
                for finding in verdict.findings {
                    var properties = JSONObject([.init(key: "field", value: .string(finding.field.description))])
                    if let exemption = finding.exemption { properties["exemption"] = .string(exemption) }
                    let result: JSONValue = finding.exemption != nil ? "skip" : finding.finding.denies ? "fail" : "warn"
                    results.append([
                        "policy": .string(finding.rule.rawValue),
                        "rule": .string(finding.rule.rawValue),
                        "result": result,
                        "severity": finding.finding.enforcement == .deny ? "high" : "medium",
                        "category": "identity",
                        "source": "identity-guard",
                        "scored": true,
                        "message": .string(finding.message + finding.exemptionSuffix),
                        "properties": .object(properties),
                        "resources": [.object(JSONObject(resource))],
                        "timestamp": ["seconds": .integer(seconds), "nanos": 0],
                    ])
                }
            }
        }
        // etcd refuses objects over 1.5 MiB: past `resultsPerReport` results the report is split into numbered
        // reports of that many results each, in a List that `kubectl apply -f` takes (Kyverno splits likewise).
        // Each counts its own results; objects without findings (`pass`) are counted in the first.
        guard results.count > resultsPerReport else {
            return JSONWriter.string(document(name: name, results: results, passed: passed), indentation: 2) + "\n"
        }
        var reports: [JSONValue] = []
        for start in stride(from: 0, to: results.count, by: resultsPerReport) {
            let part = Array(results[start..<min(start + resultsPerReport, results.count)])
            reports.append(document(name: "\(name)-\(reports.count + 1)", results: part,
                                    passed: reports.isEmpty ? passed : 0))
        }
        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": .array(reports)]
        return JSONWriter.string(list, indentation: 2) + "\n"
    }

    /// The most results one ClusterPolicyReport carries (about 1 KB each: far under etcd's 1.5 MiB).
    static let resultsPerReport = 1000

    private static func document(name: String, results: [JSONValue], passed: Int) -> JSONValue {
        func count(_ result: JSONValue) -> Int { results.count { $0["result"] == result } }
        return [
            "apiVersion": "wgpolicyk8s.io/v1alpha2",
            "kind": "ClusterPolicyReport",
            "metadata": ["name": .string(name), "labels": ["app.kubernetes.io/managed-by": "identity-guard"]],
            "summary": [
                "pass": .integer(Int64(passed)),
                "fail": .integer(Int64(count("fail"))),
                "warn": .integer(Int64(count("warn"))),
                "error": 0,
                "skip": .integer(Int64(count("skip"))),
            ],
            "results": .array(results),
        ]
    }
}
