import KubeJSON
/// `user.formats`: the formatted fields hold what their names promise.
///
/// `spec.last_login_time` is RFC 3339, `spec.webhookUrl` an absolute `https` URL (its value is never printed:
/// webhook URLs often carry a token), and `spec.groups` has no empty or duplicate entries.
public struct UserFormatsRule: Rule {
    public let id: RuleID = "user.formats"
    public let kind = ResourceKind.user
    public let defaultEnforcement = Enforcement.deny
    public let summary = "last_login_time is RFC 3339, webhookUrl an absolute https URL, groups unique and non-empty."

    public init() {}

    public func validate(_ subject: RuleSubject) -> [Violation] { allViolations(subject) }

    public func validate(_ subject: RuleSubject, into violations: inout ViolationCollector) {
        guard let spec = subject.spec else { return }
        if let time = spec["last_login_time"]?.stringValue, !RFC3339.isValid(time) {
            violations.add(violation(FieldPath("spec", "last_login_time"), .invalid, .string(time),
                                     "must be an RFC 3339 date-time such as \"2026-01-02T15:04:05Z\""))
        }
        if let url = spec["webhookUrl"]?.stringValue, !HTTPSURL.isValid(url) {
            violations.add(violation(FieldPath("spec", "webhookUrl"), .invalid, .omitted,
                                     "must be an absolute https URL"))
        }
        if let groups = spec["groups"]?.arrayValue {
            // A linear look back for the usual handful of groups; a set for long lists.
            var seen = groups.count > 32 ? Set<String>() : nil
            for (position, element) in groups.enumerated() {
                guard let group = element.stringValue else { continue }
                let path = { FieldPath("spec", "groups").index(position) }
                if group.allSatisfy(\.isWhitespace) {
                    violations.add(violation(path(), .invalid, .string(group), "must not be empty"))
                    continue
                }
                let repeated = if let inserted = seen?.insert(group).inserted {
                    !inserted
                } else {
                    groups[..<position].contains { $0.stringValue == group }
                }
                if repeated { violations.add(violation(path(), .duplicate, .string(group))) }
            }
        }
    }
}
