public import IdentityRules

/// The configuration's exemptions as a policy's `matchConditions`: a policy (validating or mutating) is skipped
/// for exactly the requests the engine exempts from its rule, so that native admission and the webhook agree
/// (README, "Exemptions").
///
/// Each exemption is the AND of its selectors, as ``Exemption/matches(_:)`` reads them: the object's name
/// (exact, or a prefix before `*`), its labels (the stored object's on UPDATE), `request.userInfo.username` and
/// `request.userInfo.groups`. A policy's condition is "none of the exemptions covering its rule applies".
public enum ExemptionConditions {
    /// The condition's name in `spec.matchConditions`.
    public static let conditionName = "not-exempted"

    /// The `matchConditions` entry for `rule`, or nil when no exemption covers it.
    public static func condition(for rule: RuleID, in exemptions: [Exemption]) -> (name: String, expression: String)? {
        let covering = exemptions.filter { $0.covers(rule) }
        guard !covering.isEmpty else { return nil }
        return (conditionName, "!(" + covering.map { "(" + expression($0) + ")" }.joined(separator: " || ") + ")")
    }

    /// Holds when `exemption` applies to the request.
    public static func expression(_ exemption: Exemption) -> String {
        var terms: [String] = []
        if !exemption.users.isEmpty {
            let name = "(has(dyn(object).metadata) && has(dyn(object).metadata.name)"
                + " && type(dyn(object).metadata.name) == string ? dyn(object).metadata.name : request.name)"
            terms.append("(" + exemption.users.map { pattern in
                pattern.hasSuffix("*")
                    ? "\(name).startsWith(\(NativeCEL.literal(String(pattern.dropLast()))))"
                    : "\(name) == \(NativeCEL.literal(pattern))"
            }.joined(separator: " || ") + ")")
        }
        if !exemption.labels.isEmpty {
            let source = "(request.operation == 'UPDATE' && oldObject != null ? dyn(oldObject) : dyn(object))"
            let labels = "\(source).metadata.labels"
            let present = "has(\(source).metadata) && has(\(source).metadata.labels)"
            for (key, value) in exemption.labels.sorted(by: { $0.key < $1.key }) {
                let literal = NativeCEL.literal(key)
                terms.append("(\(present) && \(literal) in \(labels) && \(labels)[\(literal)] == "
                             + NativeCEL.literal(value) + ")")
            }
        }
        if !exemption.requesters.isEmpty {
            terms.append("request.userInfo.username in " + NativeCEL.list(exemption.requesters))
        }
        if !exemption.requesterGroups.isEmpty {
            terms.append("request.userInfo.groups.exists(g, g in " + NativeCEL.list(exemption.requesterGroups) + ")")
        }
        return terms.joined(separator: " && ")
    }
}
