import IdentityRules

/// How much of a denial an admission answer carries: the apiserver and `kubectl` show `status.message`,
/// the causes and the warnings to a person, and an object built to break a rule 200,000 times must not
/// become a megabyte answer (nor take quadratic time to build one).
///
/// At most 100 causes and 100 warnings, each cause's message and field at most 256 bytes, the causes' text at
/// most 20 KiB and `status.message`'s at most 8 KiB (as JSON-escaped bytes); what does not fit is counted in
/// one last entry naming the rules, e.g. `199900 more violations not shown (user.formats: 199900)`. With the
/// warnings' own 120-byte cap a whole answer stays under 64 KiB. The webhook asks each rule for at most
/// ``maximumCauses`` violations (its first ones in document order) and only counts the rest, so the work is
/// bounded too. The offline checker is not bounded: it reports every finding.
public enum AnswerBounds {
    /// Most causes in `status.details.causes` before the one that counts the rest.
    public static let maximumCauses = 100
    /// Most warnings before the one that counts the rest.
    public static let maximumWarnings = 100
    /// Most bytes of one cause's message or field (cut at a character boundary, ending in `...`).
    public static let maximumTextLength = 256
    /// Most JSON-escaped bytes of all causes' messages and fields together.
    public static let causeBytes = 20 * 1024
    /// Most JSON-escaped bytes of the entries joined into `status.message`.
    public static let messageBytes = 8 * 1024
    /// The `StatusCause.reason` of the cause that counts the causes left out.
    public static let truncatedCauseReason = "TooManyViolations"

    /// `text`, cut to ``maximumTextLength`` bytes at a character boundary with `...` when longer.
    static func shortened(_ text: String) -> String {
        guard text.utf8.count > maximumTextLength else { return text }
        var scalars = text.unicodeScalars
        var length = text.utf8.count
        while length > maximumTextLength - 3, let last = scalars.popLast() {
            length -= String(last).utf8.count
        }
        return String(scalars) + "..."
    }

    /// The bytes `text` takes as a JSON string's contents: control characters as `\u00XX`, `"` and `\` escaped.
    static func encodedLength(_ text: String) -> Int {
        var length = 0
        for byte in text.utf8 {
            if byte < 0x20 {
                length += 6
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                length += 2
            } else {
                length += 1
            }
        }
        return length
    }

    /// Entries left out, counted per rule in the order the rules first appear.
    struct HiddenCount {
        private(set) var total = 0
        private var perRule: [RuleID: Int] = [:]
        private var order: [RuleID] = []

        mutating func add(_ rule: RuleID, count: Int = 1) {
            total += count
            if let known = perRule[rule] {
                perRule[rule] = known + count
            } else {
                perRule[rule] = count
                order.append(rule)
            }
        }

        /// `N more WHAT not shown (rule: n, …)`, or nil when nothing was left out.
        func summary(of what: String) -> String? {
            guard total > 0 else { return nil }
            let rules = order.map { "\($0.rawValue): \(perRule[$0] ?? 0)" }.joined(separator: ", ")
            return "\(total) more \(what) not shown (\(rules))"
        }
    }
}
