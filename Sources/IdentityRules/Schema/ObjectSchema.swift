import KubeJSON

/// The declared fields of an object and their types: what `user.schema` and `identity.schema` enforce.
///
/// Checking is strict: an undeclared field is `Forbidden: field not declared in schema`, a value of the wrong
/// JSON type is `Invalid value: …: must be of type …` (integers, floats and booleans kept apart), each with its
/// full path. `null` counts as absent, as the apiserver prunes it.
public struct ObjectSchema: Sendable, Hashable {
    /// One declared field.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var type: FieldType
        /// Never print this field's value (passwords).
        public var isSecret: Bool

        public init(_ name: String, _ type: FieldType, secret: Bool = false) {
            self.name = name
            self.type = type
            isSecret = secret
        }
    }

    public let fields: [Field]
    /// Indices of `fields` in order of name length (declaration order within a length), and where each length's
    /// run begins (`lengthStarts[n]..<lengthStarts[n + 1]` for names of `n` bytes): a lookup compares only names
    /// of the key's length — a User spec's 22 fields come down to one to four candidates.
    private let fieldsByLength: [Int]
    private let lengthStarts: [Int]

    public init(_ fields: [Field]) {
        self.fields = fields
        let lengths = fields.map(\.name.utf8.count)
        fieldsByLength = fields.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var starts = Array(repeating: 0, count: (lengths.max() ?? 0) + 2)
        for length in lengths { starts[length + 1] += 1 }
        for length in starts.indices.dropFirst() { starts[length] += starts[length - 1] }
        lengthStarts = starts
    }

    /// The first field named `name`. Checking looks up each member of each object reviewed, so this compares
    /// only the names of the key's length, the mostly small, inline strings; an object of 100,000 unknown keys
    /// still costs one short lookup per key.
    public func field(named name: String) -> Field? {
        fieldIndex(named: name).map { fields[$0] }
    }

    @inline(__always)
    private func fieldIndex(named name: String) -> Int? {
        let length = name.utf8.count
        guard length + 1 < lengthStarts.count else { return nil }
        return lengthStarts.withUnsafeBufferPointer { starts in
            fieldsByLength.withUnsafeBufferPointer { order in
                fields.withUnsafeBufferPointer { fields in
                    for position in starts[length]..<starts[length + 1] where fields[order[position]].name == name {
                        return order[position]
                    }
                    return nil
                }
            }
        }
    }

    /// Type and unknown-field violations of `object`, found at `path`.
    func check(_ object: JSONObject, at path: FieldPath, rule: RuleID, into violations: inout ViolationCollector) {
        check(object, at: { path }, rule: rule, into: &violations)
    }

    /// `check` with the path made only when a violation needs it: a valid object's nested fields (`metadata`,
    /// `spec.groups`) then cost no path arrays.
    private func check(_ object: JSONObject, at path: () -> FieldPath, rule: RuleID,
                       into violations: inout ViolationCollector)
    {
        for member in object.members {
            guard let index = fieldIndex(named: member.key) else {
                violations.add(Violation(rule: rule, field: path().child(member.key), type: .forbidden,
                                         detail: "field not declared in schema"))
                continue
            }
            if Self.isSimpleMatch(member.value, fields[index].type) { continue }
            let field = fields[index]
            Self.check(member.value, as: field.type, secret: field.isSecret, at: { path().child(member.key) },
                       rule: rule, into: &violations)
        }
    }

    /// A scalar of the declared type (or null): nothing to check and no path to build.
    @inline(__always)
    private static func isSimpleMatch(_ value: JSONValue, _ type: FieldType) -> Bool {
        switch (type, value) {
        case (_, .null), (.string, .string), (.integer, .integer), (.boolean, .bool), (.object, .object): true
        default: false
        }
    }

    private static func check(
        _ value: JSONValue,
        as type: FieldType,
        secret: Bool,
        at path: () -> FieldPath,
        rule: RuleID,
        into violations: inout ViolationCollector
    ) {
        func wrongType(_ value: JSONValue, _ expected: String, _ path: FieldPath) {
            violations.add(Violation(rule: rule, field: path, type: .typeInvalid,
                                     badValue: secret ? .string(value.typeName) : BadValue(value),
                                     detail: "must be of type \(expected)"))
        }
        if isSimpleMatch(value, type) { return }
        switch (type, value) {
        case (.stringArray, .array(let elements)):
            for (position, element) in elements.enumerated() {
                if case .string = element { continue }
                wrongType(element, "string", path().index(position))
            }
        case (.objectArray, .array(let elements)):
            for (position, element) in elements.enumerated() {
                if case .object = element { continue }
                wrongType(element, "object", path().index(position))
            }
        case (.stringMap, .object(let map)):
            for member in map.members {
                if case .string = member.value { continue }
                wrongType(member.value, "string", path().key(member.key))
            }
        case (.structure(let schema), .object(let object)):
            schema.check(object, at: path, rule: rule, into: &violations)
        default:
            wrongType(value, type.typeName, path())
        }
    }
}
