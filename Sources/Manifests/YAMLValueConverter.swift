import IdentityRules
public import Yams
public import KubeJSON

/// Turns a composed YAML node into the engine's ``JSONValue``, keeping what strict validation needs.
///
/// Scalars keep the type YAML's core schema resolves (`true` is a boolean, `"true"` a string, `1.0` a float),
/// mappings keep their key order and their duplicate keys (so that `*.schema` reports them instead of a
/// silent last-one-wins), and anchors/aliases are expanded as Yams composes them.
public enum YAMLValueConverter {
    public static func jsonValue(from node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return value(of: scalar)
        case .sequence(let sequence):
            return .array(sequence.map(jsonValue(from:)))
        case .mapping(let mapping):
            return .object(JSONObject(mapping.map { pair in
                JSONObject.Member(key: keyText(pair.key), value: jsonValue(from: pair.value))
            }))
        case .alias:
            return .null
        }
    }

    /// A mapping key as text (YAML allows any node as a key; Kubernetes objects use strings).
    public static func keyText(_ node: Node) -> String {
        if case .scalar(let scalar) = node { return scalar.string }
        return JSONWriter.string(jsonValue(from: node))
    }

    /// The value of a scalar: its explicit tag, else its quoting style, else what its plain text resolves to.
    ///
    /// Works with nodes composed by any resolver: an implicit (empty) tag is resolved here by
    /// ``YAMLScalarResolver``, which is what lets the manifest reader compose with `Resolver.basic`.
    public static func value(of scalar: Node.Scalar) -> JSONValue {
        let tag = scalar.tag.rawValue
        if tag.isEmpty {
            return scalarValue(scalar.string, tag: scalar.style == .plain || scalar.style == .any
                ? YAMLScalarResolver.resolve(scalar.string) : .str)
        }
        return scalarValue(scalar.string, tag: Tag.Name(rawValue: tag))
    }

    /// `text` as the JSON value of a scalar resolved to `tag`.
    public static func scalarValue(_ text: String, tag: Tag.Name) -> JSONValue {
        switch tag {
        case .null:
            return .null
        case .bool:
            return .bool(["true", "yes", "on"].contains(text.lowercased()))
        case .int:
            if let value = Int64(text) { return .integer(value) }
            return numberLiteral(text)
        case .float:
            return numberLiteral(text)
        default:
            return .string(text)
        }
    }

    /// A float as a JSON number literal when it is one; YAML-only spellings (`.inf`, `1_000`) by value.
    private static func numberLiteral(_ text: String) -> JSONValue {
        if let parsed = try? JSONReader.parse(text), case .float = parsed { return parsed }
        if let parsed = try? JSONReader.parse(text), case .integer = parsed { return .float(literal: text) }
        if let value = Double(text.replacing("_", with: "")), value.isFinite { return .float(literal: "\(value)") }
        return .string(text)
    }
}
