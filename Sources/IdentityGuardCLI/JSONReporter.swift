import IdentityRules
import Manifests
import KubeJSON

/// `check --format json`: `{"summary": {…}, "results": [{…}]}` with exactly the keys the README lists, plus `errors` when
/// an input could not be used.
enum JSONReporter {
    static func render(_ report: CheckReport) -> String {
        let summary = report.summary
        var members: [JSONObject.Member] = [
            .init(key: "summary", value: [
                "documents": .integer(Int64(summary.documents)), "checked": .integer(Int64(summary.checked)),
                "skipped": .integer(Int64(summary.skipped)), "denied": .integer(Int64(summary.denied)),
                "warnings": .integer(Int64(summary.warnings)),
            ]),
            .init(key: "results", value: .array(report.findings.map { finding in
                var fields: [JSONObject.Member] = [.init(key: "file", value: .string(finding.file))]
                if let position = finding.position {
                    fields.append(.init(key: "line", value: .integer(Int64(position.line))))
                    fields.append(.init(key: "column", value: .integer(Int64(position.column))))
                }
                fields += [
                    .init(key: "document", value: .integer(Int64(finding.document))),
                    .init(key: "kind", value: .string(finding.kind)),
                    .init(key: "name", value: .string(finding.name)),
                    .init(key: "rule", value: .string(finding.rule.rawValue)),
                    .init(key: "enforcement", value: .string(finding.enforcement.rawValue)),
                    .init(key: "field", value: .string(finding.field.description)),
                    .init(key: "message", value: .string(finding.message)),
                ]
                return .object(JSONObject(fields))
            })),
        ]
        let errors = report.errors
        if !errors.isEmpty {
            members.append(.init(key: "errors", value: .array(errors.map { error in
                var fields: [JSONObject.Member] = [.init(key: "file", value: .string(error.file))]
                if let position = error.position {
                    fields.append(.init(key: "line", value: .integer(Int64(position.line))))
                    fields.append(.init(key: "column", value: .integer(Int64(position.column))))
                }
                fields.append(.init(key: "message", value: .string(error.message)))
                return .object(JSONObject(fields))
            })))
        }
        return JSONWriter.string(.object(JSONObject(members)), indentation: 2) + "\n"
    }
}
