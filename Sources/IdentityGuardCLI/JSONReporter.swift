import IdentityRules
import KubeJSON

/// `check --format json`: `{"summary": {…}, "results": [{…}]}` with exactly the keys the README lists, plus
/// `errors` when an input could not be used, and `exempted` (in the summary and on a result) where an exemption
/// lifted a finding.
enum JSONReporter {
    static func render(_ report: FindingReport) -> String {
        let summary = report.summary
        var counts = JSONObject([
            .init(key: "documents", value: .integer(Int64(summary.documents))),
            .init(key: "checked", value: .integer(Int64(summary.checked))),
            .init(key: "skipped", value: .integer(Int64(summary.skipped))),
            .init(key: "denied", value: .integer(Int64(summary.denied))),
            .init(key: "warnings", value: .integer(Int64(summary.warnings))),
        ])
        // As on the text summary line: only when an exemption lifted a finding.
        if summary.exempted > 0 { counts["exempted"] = .integer(Int64(summary.exempted)) }
        var members: [JSONObject.Member] = [
            .init(key: "summary", value: .object(counts)),
            .init(key: "results", value: .array(report.sections.flatMap(\.verdicts).flatMap { verdict in
                verdict.findings.map { result($0, ordinal: verdict.ordinal) }
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

    /// One result: where (the file and position, or the stored object's `cluster:KIND/NAME`), which object
    /// (its ordinal in its file or among its kind, kind, name), and what.
    private static func result(_ finding: ObjectFinding, ordinal: Int) -> JSONValue {
        var fields: [JSONObject.Member] = [.init(key: "file", value: .string(finding.location?.file ?? finding.place))]
        if let position = finding.location?.position {
            fields.append(.init(key: "line", value: .integer(Int64(position.line))))
            fields.append(.init(key: "column", value: .integer(Int64(position.column))))
        }
        fields += [
            .init(key: "document", value: .integer(Int64(ordinal))),
            .init(key: "kind", value: .string(finding.object.kind)),
            .init(key: "name", value: .string(finding.object.name)),
            .init(key: "rule", value: .string(finding.rule.rawValue)),
            .init(key: "enforcement", value: .string(finding.enforcement.rawValue)),
            .init(key: "field", value: .string(finding.field.description)),
            .init(key: "message", value: .string(finding.message)),
        ]
        if let exemption = finding.exemption { fields.append(.init(key: "exempted", value: .string(exemption))) }
        return .object(JSONObject(fields))
    }
}
