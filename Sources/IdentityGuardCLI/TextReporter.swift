import IdentityRules

/// `check --format text`: `FILE:LINE:COLUMN: RULE-ID: MESSAGE` per finding (`cluster:KIND/NAME: …` in `audit`),
/// ending in `(exempted by "NAME")` when an exemption lifts it, then the summary line (README, "Offline check").
enum TextReporter {
    static func render(_ report: FindingReport) -> String {
        var output = ""
        for finding in report.findings {
            output += "\(finding.place): \(finding.rule): " + finding.message + finding.exemptionSuffix + "\n"
        }
        return output + report.summary.line + "\n"
    }
}
