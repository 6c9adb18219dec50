import KubeJSON
/// `user.formats`: the formatted fields hold what their names promise.
///
/// `spec.last_login_time` is RFC 3339, `spec.webhookUrl` an absolute `https` URL (its value is never printed:
/// webhook URLs often carry a token), and `spec.groups` has at most ``maximumGroups`` entries, none empty (white
/// space only) or repeated. Groups are compared as RBAC compares them, code point by code point: "é" and
/// "e\u{301}" are two groups.
public struct UserFormatsRule: Rule {
    /// The most `spec.groups` entries a User may have: deploy/'s CRD declares it as `maxItems`, and the native
    /// policy's duplicate check (a sort in CEL) stays inside the apiserver's cost limit well past it (README,
    /// "Native admission policies"). No directory puts a person in ten thousand groups.
    public static let maximumGroups = 10_000

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
            if groups.count > Self.maximumGroups {
                violations.add(violation(FieldPath("spec", "groups"), .tooMany, .literal(String(groups.count)),
                                         "must have at most \(Self.maximumGroups) items"))
            }
            // A linear look back for the usual handful of groups; a set for long lists.
            var seen = groups.count > 32 ? Set<[Unicode.Scalar]>() : nil
            for (position, element) in groups.enumerated() {
                guard let group = element.stringValue else { continue }
                let path = { FieldPath("spec", "groups").index(position) }
                if Self.isBlank(group) {
                    violations.add(violation(path(), .invalid, .string(group), "must not be empty"))
                    continue
                }
                let repeated = if let inserted = seen?.insert(Array(group.unicodeScalars)).inserted {
                    !inserted
                } else {
                    groups[..<position].contains {
                        $0.stringValue?.unicodeScalars.elementsEqual(group.unicodeScalars) == true
                    }
                }
                if repeated { violations.add(violation(path(), .duplicate, .string(group))) }
            }
        }
    }

    /// Whether `group` is empty or only Unicode white space. Answered from the first byte for the usual group
    /// name that starts with an ASCII character other than white space (U+0009–U+000D, U+0020): looking up a
    /// scalar's properties costs more than the rest of the rule.
    static func isBlank(_ group: String) -> Bool {
        if let first = group.utf8.first, first < 0x80, first != 0x20, !(0x09...0x0D).contains(first) { return false }
        return group.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }
}
