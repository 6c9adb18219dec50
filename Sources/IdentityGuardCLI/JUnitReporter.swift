import IdentityRules

/// `check --format junit`: JUnit XML for CI dashboards (Jenkins, GitLab, Azure Pipelines).
///
/// A test suite per file (per kind in `audit`) and a test case per document (stored object): a denied document is
/// a `<failure>` listing its findings, a warned one passes with its warnings in `<system-out>`, a document of
/// another kind is `<skipped/>`, and a file that could not be used is a suite with one `<error>` case.
enum JUnitReporter {
    static func render(_ report: FindingReport) -> String {
        var suites = ""
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
        for file in report.sections {
            let name = escape(file.name)
            if let error = file.error {
                totals.tests += 1
                totals.errors += 1
                suites += """
                      <testsuite name="\(name)" tests="1" failures="0" errors="1" skipped="0">
                        <testcase classname="\(name)" name="\(name)">
                          <error message="\(escape(error.message))" type="\(error.reason.rawValue)">\
                    \(escape(error.description, attribute: false))</error>
                        </testcase>
                      </testsuite>

                    """
                continue
            }
            let failures = file.verdicts.filter(\.isDenied).count
            let skipped = file.verdicts.filter(\.isSkipped).count
            totals.tests += file.verdicts.count
            totals.failures += failures
            totals.skipped += skipped
            suites += "  <testsuite name=\"\(name)\" tests=\"\(file.verdicts.count)\" failures=\"\(failures)\""
                + " errors=\"0\" skipped=\"\(skipped)\">\n"
            for verdict in file.verdicts {
                suites += testCase(verdict, file: name)
            }
            suites += "  </testsuite>\n"
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="identity-guard" tests="\(totals.tests)" failures="\(totals.failures)" \
            errors="\(totals.errors)" skipped="\(totals.skipped)">

            """ + suites + "</testsuites>\n"
    }

    private static func testCase(_ verdict: ObjectVerdict, file: String) -> String {
        let object = verdict.object
        let kind = object.kind.isEmpty ? "document" : object.kind
        let title = "document \(verdict.ordinal): \(kind)" + (object.name.isEmpty ? "" : " \(object.name)")
        var text = "    <testcase classname=\"\(file)\" name=\"\(escape(title))\""
        if verdict.isSkipped { return text + ">\n      <skipped/>\n    </testcase>\n" }
        if verdict.findings.isEmpty { return text + "/>\n" }
        text += ">\n"
        let lines = { (findings: [ObjectFinding]) in
            findings.map { "\($0.place): \($0.rule): \($0.message)\($0.exemptionSuffix)" }
                .joined(separator: "\n")
        }
        let denials = verdict.findings.filter(\.finding.denies)
        let warnings = verdict.findings.filter(\.finding.warns)
        let exempted = verdict.findings.filter(\.finding.isExempted)
        if !denials.isEmpty {
            let count = denials.count == 1 ? "1 violation" : "\(denials.count) violations"
            text += "      <failure message=\"\(count)\" type=\"deny\">"
                + escape(lines(denials), attribute: false) + "</failure>\n"
        }
        // Warnings and exempted findings are told, not failed.
        if !warnings.isEmpty || !exempted.isEmpty {
            text += "      <system-out>\(escape(lines(warnings + exempted), attribute: false))</system-out>\n"
        }
        return text + "    </testcase>\n"
    }

    /// Text for an XML attribute or element; characters XML 1.0 cannot hold are dropped.
    static func escape(_ text: String, attribute: Bool = true) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\n": output += attribute ? "&#10;" : "\n"
            case "\t", "\r": output.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF { continue }
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
