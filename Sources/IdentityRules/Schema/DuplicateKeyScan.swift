import KubeJSON

/// Finds keys written twice anywhere in a document: `Duplicate value` instead of a silent last-one-wins.
///
/// The apiserver re-encodes objects, so webhook requests never carry duplicates; files do, and a YAML or JSON
/// document with `email` twice is ambiguous about which one the author meant.
enum DuplicateKeyScan {
    /// Objects whose keys are data, not field names: their members print as `[key]`.
    private static let mapPaths: Set<FieldPath> = [
        FieldPath("metadata", "labels"), FieldPath("metadata", "annotations"), FieldPath("extra"),
    ]

    static func scan(_ object: JSONObject, rule: RuleID, into violations: inout ViolationCollector) {
        guard object.containsDuplicateKeys else { return }
        scan(object, at: .root, rule: rule, into: &violations)
    }

    private static func scan(
        _ object: JSONObject, at path: FieldPath, rule: RuleID, into violations: inout ViolationCollector
    ) {
        let isMap = mapPaths.contains(path)
        func childPath(_ key: String) -> FieldPath { isMap ? path.key(key) : path.child(key) }
        for duplicate in object.duplicateMembers() {
            violations.add(Violation(rule: rule, field: childPath(duplicate.key), type: .duplicate,
                                     badValue: .string(duplicate.key), detail: "key appears more than once"))
        }
        for member in object.members where member.value.containsDuplicateKeys {
            scan(member.value, at: childPath(member.key), rule: rule, into: &violations)
        }
    }

    private static func scan(
        _ value: JSONValue, at path: FieldPath, rule: RuleID, into violations: inout ViolationCollector
    ) {
        switch value {
        case .object(let object):
            scan(object, at: path, rule: rule, into: &violations)
        case .array(let elements):
            for (position, element) in elements.enumerated() where element.containsDuplicateKeys {
                scan(element, at: path.index(position), rule: rule, into: &violations)
            }
        default:
            break
        }
    }
}
