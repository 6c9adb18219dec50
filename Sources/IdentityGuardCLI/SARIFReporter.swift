import IdentityRules
import KubeJSON

/// `check --format sarif`: SARIF 2.1.0, what code-scanning UIs (GitHub, GitLab, Azure DevOps) import.
///
/// One run; `tool.driver.rules` lists every rule with the enforcement this run applied as its default level
/// (`error` for deny, `warning` for warn, `none` for off); each finding is a result at its field's line and
/// column (a stored object's location is its `cluster:KIND/NAME`, without a region); inputs that could not be
/// used are tool execution notifications, and make the run unsuccessful.
enum SARIFReporter {
    static func render(_ report: FindingReport, configuration: RuleConfiguration) -> String {
        let rules = RuleCatalog.all
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        let driverRules: [JSONValue] = rules.map { rule in
            [
                "id": .string(rule.id.rawValue),
                "shortDescription": ["text": .string(rule.summary)],
                "defaultConfiguration": ["level": .string(level(configuration.enforcement(for: rule)))],
            ]
        }
        let results: [JSONValue] = report.findings.map { finding in
            var result: [JSONObject.Member] = [.init(key: "ruleId", value: .string(finding.rule.rawValue))]
            if let index = ruleIndex[finding.rule] {
                result.append(.init(key: "ruleIndex", value: .integer(Int64(index))))
            }
            result.append(.init(key: "level", value: .string(level(finding.enforcement))))
            result.append(.init(key: "message", value: ["text": .string(finding.message)]))
            result.append(.init(key: "locations", value: [location(finding.location?.file ?? finding.place,
                                                                   finding.location?.position)]))
            if let exemption = finding.exemption {
                // SARIF 2.1.0 §3.35: a result suppressed outside the source (our configuration), accepted.
                result.append(.init(key: "suppressions", value: [[
                    "kind": "external", "status": "accepted",
                    "justification": .string("exempted by \(GoQuote.quote(exemption))"),
                ]]))
            }
            return .object(JSONObject(result))
        }
        let notifications: [JSONValue] = report.errors.map { error in
            var members: [JSONObject.Member] = [
                .init(key: "level", value: "error"),
                .init(key: "message", value: ["text": .string(error.message)]),
            ]
            members.append(.init(key: "locations", value: [location(error.file, error.position)]))
            return .object(JSONObject(members))
        }
        let log: JSONValue = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": [
                    "name": "identity-guard",
                    "version": .string(IdentityGuardVersion.current),
                    "informationUri": "https://github.com/alauda/identity-guard",
                    "rules": .array(driverRules),
                ]],
                "invocations": [[
                    "executionSuccessful": .bool(report.errors.isEmpty),
                    "toolExecutionNotifications": .array(notifications),
                ]],
                "results": .array(results),
            ]],
        ]
        return JSONWriter.string(log, indentation: 2) + "\n"
    }

    private static func level(_ enforcement: Enforcement) -> String {
        switch enforcement {
        case .deny: "error"
        case .warn: "warning"
        case .off: "none"
        }
    }

    private static func location(_ file: String, _ position: SourcePosition?) -> JSONValue {
        var physical: [JSONObject.Member] = [.init(key: "artifactLocation", value: ["uri": .string(uri(file))])]
        if let position {
            physical.append(.init(key: "region", value: [
                "startLine": .integer(Int64(position.line)), "startColumn": .integer(Int64(position.column)),
            ]))
        }
        return ["physicalLocation": .object(JSONObject(physical))]
    }

    /// A relative path as a relative URI reference, an absolute one as a `file://` URI, percent-encoded.
    static func uri(_ path: String) -> String {
        var encoded = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }
}
