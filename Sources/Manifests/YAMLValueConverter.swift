public import IdentityRules
public import Yams

/// Turns a composed YAML node into the engine's ``JSONValue``, keeping what strict validation needs.
///
/// Scalars keep the type YAML's core schema resolves (`true` is a boolean, `"true"` a string, `1.0` a float),
/// mappings keep their key order and their duplicate keys (so that `*.schema` reports them instead of a
/// silent last-one-wins), and anchors/aliases are expanded as Yams composes them.
public enum YAMLValueConverter {
    public static func jsonValue(from node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar)
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

    private static func scalarValue(_ scalar: Node.Scalar) -> JSONValue {
        switch Tag.Name(rawValue: scalar.tag.rawValue) {
        case .null:
            return .null
        case .bool:
            return .bool(["true", "yes", "on"].contains(scalar.string.lowercased()))
        case .int:
            if let value = Int64(scalar.string) { return .integer(value) }
            return numberLiteral(scalar.string)
        case .float:
            return numberLiteral(scalar.string)
        default:
            return .string(scalar.string)
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
