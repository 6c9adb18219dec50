import KubeJSON

/// Reads the configuration's `exemptions:` list into ``Exemption``s, refusing what would exempt more or less
/// than its author meant: unknown keys, unknown rule ids, a missing or repeated name, an entry without selectors.
enum ExemptionParser {
    static let keys = ["name", "rules", "users", "labels", "requesters", "requesterGroups"]

    static func exemptions(from value: JSONValue) throws(ConfigurationError) -> [Exemption] {
        let list = FieldPath("exemptions")
        guard let entries = value.arrayValue else {
            throw error("\"exemptions\" must be a list of exemptions", at: list)
        }
        var exemptions: [Exemption] = []
        var names: Set<String> = []
        for (position, entry) in entries.enumerated() {
            let path = list.index(position)
            guard let object = entry.objectValue else {
                throw error("exemptions[\(position)] must be a map with a name and selectors", at: path)
            }
            guard let name = object["name"]?.stringValue, !name.isEmpty else {
                throw error("exemptions[\(position)]: \"name\" is required (a non-empty string)",
                            at: object["name"] == nil ? path : path.child("name"))
            }
            let label = "exemption \(GoQuote.quote(name))"
            guard names.insert(name).inserted else {
                throw error("\(label) is named twice; names must be unique", at: path.child("name"))
            }
            for key in object.keys where !keys.contains(key) {
                throw error("\(label): unknown key \(GoQuote.quote(key)); expected "
                                + keys.map { GoQuote.quote($0) }.joined(separator: ", "), at: path.child(key))
            }
            var exemption = Exemption(name: name)
            if let rules = object["rules"], !rules.isNull {
                let ids = try strings(rules, "\(label): \"rules\"", at: path.child("rules"))
                if ids == ["*"] {
                    exemption.rules = nil
                } else {
                    guard !ids.isEmpty else {
                        throw error("\(label): \"rules\" is empty; list rule ids, or [\"*\"] for all",
                                    at: path.child("rules"))
                    }
                    for (index, id) in ids.enumerated() where RuleCatalog.rule(RuleID(id)) == nil {
                        var unknown = ConfigurationError(.unknownRule, subject: id, knownRules: RuleCatalog.ids)
                        unknown.exemption = name
                        unknown.field = path.child("rules").index(index)
                        throw unknown
                    }
                    exemption.rules = ids.map { RuleID($0) }
                }
            } else {
                throw error("\(label): \"rules\" is required: rule ids, or [\"*\"] for all", at: path)
            }
            if let users = object["users"] {
                exemption.users = try strings(users, "\(label): \"users\"", at: path.child("users"))
            }
            if let requesters = object["requesters"] {
                exemption.requesters = try strings(requesters, "\(label): \"requesters\"",
                                                   at: path.child("requesters"))
            }
            if let groups = object["requesterGroups"] {
                exemption.requesterGroups = try strings(groups, "\(label): \"requesterGroups\"",
                                                        at: path.child("requesterGroups"))
            }
            if let labels = object["labels"], !labels.isNull {
                guard let map = labels.objectValue else {
                    throw error("\(label): \"labels\" must map label keys to values", at: path.child("labels"))
                }
                for member in map.members {
                    guard let text = member.value.stringValue else {
                        throw error("\(label): label \(GoQuote.quote(member.key)) must have a string value "
                                        + "(quote \"true\")", at: path.child("labels").key(member.key))
                    }
                    exemption.labels[member.key] = text
                }
            }
            if exemption.hasNoSelector {
                throw error("\(label) names no selector: give users, labels, requesters or requesterGroups "
                                + "(an exemption for everyone is a rule turned off)", at: path)
            }
            exemptions.append(exemption)
        }
        return exemptions
    }

    private static func strings(_ value: JSONValue, _ what: String, at path: FieldPath)
        throws(ConfigurationError) -> [String]
    {
        guard let elements = value.arrayValue else { throw error("\(what) must be a list of strings", at: path) }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = element.stringValue, !text.isEmpty else {
                throw error("\(what) must be a list of non-empty strings", at: path.index(index))
            }
            strings.append(text)
        }
        return strings
    }

    private static func error(_ message: String, at path: FieldPath) -> ConfigurationError {
        var error = ConfigurationError(.malformed, subject: message)
        error.field = path
        return error
    }
}
