import Foundation
import KubeJSON
import Testing

/// Debian's `prometheus` package (2.42): `promtool` for the alert rules' checks and unit tests, and a real
/// `prometheus` that scrapes a running server. `.ci/run` installs it when missing.
package enum PrometheusTools {
    /// Whether `promtool` and `prometheus` are on the PATH.
    package static var isAvailable: Bool { path(of: "promtool") != nil && path(of: "prometheus") != nil }

    /// Whether the suites that need them run: when they are here, and always in CI (where a missing binary
    /// fails the suite instead of skipping it, as for the real apiserver).
    package static var shouldRun: Bool { isAvailable || EnvtestControlPlane.isRequired }
    package static let skipReason: Comment = "needs promtool and prometheus: apt-get install prometheus"

    /// The full path of `tool` on the PATH, if any.
    package static func path(of tool: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The monitoring component's rendered objects.
    package static func monitoringObjects() throws -> [JSONValue] {
        try Repository.kustomize("deploy/overlays/cert-manager-monitoring")
    }

    /// The PrometheusRule's `spec` (its `groups`), as a rule file Prometheus and promtool read (JSON is YAML).
    package static func ruleFile() throws -> String {
        let rule = try Repository.object(try monitoringObjects(), kind: "PrometheusRule", name: "identity-guard")
        guard let spec = rule["spec"] else { throw TestFailure("the PrometheusRule has no spec") }
        return JSONWriter.string(spec, indentation: 2)
    }

    /// Every alert rule: name, expression, and its annotations.
    package static func alerts() throws -> [(name: String, expression: String, annotations: JSONValue)] {
        let rule = try Repository.object(try monitoringObjects(), kind: "PrometheusRule", name: "identity-guard")
        var alerts: [(String, String, JSONValue)] = []
        for group in rule["spec"]?["groups"]?.arrayValue ?? [] {
            for entry in group["rules"]?.arrayValue ?? [] {
                guard let name = entry["alert"]?.stringValue, let expression = entry["expr"]?.stringValue else {
                    continue
                }
                alerts.append((name, expression, entry["annotations"] ?? .null))
            }
        }
        return alerts
    }

    /// The dashboard's PromQL expressions, from the ConfigMap the component renders.
    package static func dashboardExpressions() throws -> [String] {
        let map = try Repository.object(try monitoringObjects(), kind: "ConfigMap", name: "identity-guard-dashboard")
        guard let text = map["data"]?["identity-guard.json"]?.stringValue else {
            throw TestFailure("the dashboard ConfigMap has no identity-guard.json")
        }
        let dashboard = try JSONReader.parse(Array(text.utf8))
        var expressions: [String] = []
        for panel in dashboard["panels"]?.arrayValue ?? [] {
            for target in panel["targets"]?.arrayValue ?? [] {
                if let expression = target["expr"]?.stringValue { expressions.append(expression) }
            }
        }
        return expressions
    }

    /// The `identity_guard_*` metric families an expression reads (a histogram's `_bucket`, `_sum` and `_count`
    /// series count as their family).
    package static func metricNames(in expression: String) -> Set<String> {
        var names = Set<String>()
        let characters = Array(expression.utf8)
        var index = 0
        let prefix = Array("identity_guard_".utf8)
        while index < characters.count {
            let startsName = index == 0 || !isNameCharacter(characters[index - 1])
            if startsName, characters[index...].starts(with: prefix) {
                var end = index
                while end < characters.count, isNameCharacter(characters[end]) { end += 1 }
                names.insert(String(decoding: characters[index..<end], as: UTF8.self))
                index = end
            } else {
                index += 1
            }
        }
        return names
    }

    /// A series name without a histogram's suffix.
    package static func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    private static func isNameCharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }
}
