import IdentityRules
import Manifests

/// `check --format text`: `FILE:LINE:COLUMN: RULE-ID: MESSAGE` per finding, then the summary line (README, "Offline check").
enum TextReporter {
    static func render(_ report: CheckReport) -> String {
        var output = ""
        for finding in report.findings {
            output += "\(finding.place): \(finding.rule): " + finding.message + "\n"
        }
        return output + report.summary.line + "\n"
    }
}
