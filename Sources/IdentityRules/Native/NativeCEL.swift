/// The CEL pieces the rules' native forms share: literals, the variables every policy starts from, and the
/// type tests that stand in for a schema the cluster's CRD may not have.
///
/// Everything reads the object as `dyn` after `has()` and `type()` tests, because the CRD may be fully
/// structural, typed with unknown fields preserved, or untyped, and the policy must mean the same for all three
/// (and type-check without warnings against each).
public enum NativeCEL {
    /// `text` as a CEL string literal (single quotes; backslash, quote and control characters escaped).
    public static func literal(_ text: String) -> String {
        var output = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": output += "\\\\"
            case "'": output += "\\'"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "'"
    }

    /// A CEL list literal of strings.
    public static func list(_ texts: [String]) -> String {
        "[" + texts.map(literal).joined(separator: ", ") + "]"
    }

    /// `object` as `dyn`: no static field look-ups, whatever the CRD declares.
    public static let objectVariable = NativeVariable("o", "dyn(object)")
    /// `spec` when it is a map, else an empty map.
    public static let specVariable = NativeVariable(
        "spec", "has(variables.o.spec) && type(variables.o.spec) == map ? variables.o.spec : {}"
    )
    /// The variables of every User policy.
    public static let userVariables = [objectVariable, specVariable]
    /// The variables of every Identity policy.
    public static let identityVariables = [objectVariable]

    /// `base.field` is present and not null (the apiserver and the engine both take null for absent).
    public static func present(_ base: String, _ field: String) -> String {
        "has(\(base).\(field)) && \(base).\(field) != null"
    }

    /// `base.field` is a string (absent and null are not).
    public static func isString(_ base: String, _ field: String) -> String {
        "has(\(base).\(field)) && type(\(base).\(field)) == string"
    }

    /// Holds when `value` has the JSON type `type` declares; `ObjectSchema`'s test, element by element.
    ///
    /// An integer may arrive as a double with an integral value (the apiserver decodes `1.0` as a float, and
    /// re-encodes it as `1` for the webhook), so such doubles count as integers, as the webhook sees them.
    public static func typeTest(_ type: FieldType, _ value: String) -> String {
        switch type {
        case .string:
            "type(\(value)) == string"
        case .integer:
            "(type(\(value)) == int || type(\(value)) == double && \(value) == double(int(\(value))))"
        case .boolean:
            "type(\(value)) == bool"
        case .stringArray:
            "type(\(value)) == list && \(value).all(e, type(e) == string)"
        case .objectArray:
            "type(\(value)) == list && \(value).all(e, type(e) == map)"
        case .object:
            "type(\(value)) == map"
        case .stringMap:
            "type(\(value)) == map && \(value).all(k, type(\(value)[k]) == string)"
        case .structure(let schema):
            "type(\(value)) == map && \(value).all(k, k in \(list(schema.fields.map(\.name))))"
                + schema.fields.map { " && (" + fieldTest($0, value) + ")" }.joined()
        }
    }

    /// Holds when `base.FIELD` is absent, null, or of the field's type.
    public static func fieldTest(_ field: ObjectSchema.Field, _ base: String) -> String {
        let value = "\(base).\(field.name)"
        return "!has(\(value)) || \(value) == null || " + typeTest(field.type, value)
    }

    /// The schema checks of an object: one validation for undeclared fields, one per declared field's type.
    /// `base` is the CEL value, `path` its field path in messages (`spec.`, or empty at the top level).
    static func schemaValidations(_ schema: ObjectSchema, _ base: String, path: String, rule: RuleID)
        -> [NativeValidation]
    {
        let names = list(schema.fields.map(\.name))
        var validations = [
            NativeValidation(
                "\(base).all(k, k in \(names))",
                message: "\(rule.rawValue): \(path.isEmpty ? "a field" : path + "FIELD"): Forbidden: "
                    + "field not declared in schema",
                messageExpression: literal("\(rule.rawValue): ") + " + \(base).filter(k, !(k in \(names)))"
                    + ".map(k, \(literal(path)) + k + ': Forbidden: field not declared in schema').join(', ')"
            ),
        ]
        // The declared fields' types in one validation (one CEL program, not one per field: the apiserver's cost
        // per validation is mostly its own, so thirty of them took 0.85 ms a request); the message names each
        // field that fails.
        var tests: [(test: String, words: String)] = []
        var nestedValidations: [NativeValidation] = []
        for field in schema.fields {
            let words = "\(path)\(field.name): Invalid value: must be of type "
            if case .structure(let nested) = field.type {
                let value = "\(base).\(field.name)"
                tests.append(("!has(\(value)) || \(value) == null || type(\(value)) == map", words + "object"))
                nestedValidations += schemaValidations(nested, value, path: path + field.name + ".", rule: rule)
                    .map { validation in
                        var guarded = validation
                        guarded.expression = "!has(\(value)) || type(\(value)) != map || \(validation.expression)"
                        return guarded
                    }
                continue
            }
            tests.append((fieldTest(field, base), words + Self.typeWords(field.type)))
        }
        if !tests.isEmpty {
            validations.append(NativeValidation(
                tests.map { "(\($0.test))" }.joined(separator: " && "),
                message: "\(rule.rawValue): \(path.isEmpty ? "a field" : path + "FIELD"): Invalid value: "
                    + "not of its declared type",
                messageExpression: literal("\(rule.rawValue): ") + " + ["
                    + tests.map { "(\($0.test)) ? '' : \(literal($0.words))" }.joined(separator: ", ")
                    + "].filter(m, m != '').join(', ')"
            ))
        }
        validations += nestedValidations
        return validations
    }

    /// How a message names a field's type.
    static func typeWords(_ type: FieldType) -> String {
        switch type {
        case .stringArray: "array of string"
        case .objectArray: "array of object"
        case .stringMap: "map of string"
        default: type.typeName
        }
    }

    /// `metadata.namespace` is not set: both kinds are cluster-scoped.
    static func clusterScopeValidation(rule: RuleID) -> NativeValidation {
        let words = "\(rule.rawValue): metadata.namespace: Forbidden: not allowed on this type"
        return NativeValidation(
            "!(has(variables.o.metadata) && type(variables.o.metadata) == map"
                + " && has(variables.o.metadata.namespace) && type(variables.o.metadata.namespace) == string"
                + " && variables.o.metadata.namespace != '')",
            message: words, messageExpression: literal(words)
        )
    }
}
