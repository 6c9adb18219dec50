/// A JSON document as the rules see it.
///
/// Foundation's `JSONSerialization` erases what strict validation needs: it turns `1`, `1.0` and `true` into
/// the same `NSNumber`, forgets key order and keeps only the last of duplicate keys. This model keeps integers,
/// floats and booleans apart (`1.0` is a float, a number beyond the 64-bit range is not an integer), keeps
/// object members in source order, and keeps duplicate keys so that a rule can report them.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number, kept as its RFC 8259 literal so that it is written back exactly as it was read.
    case float(literal: String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name used in messages: `must be of type integer`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .float: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// Whether an object in this value has a key written more than once (see ``JSONObject``).
    public var containsDuplicateKeys: Bool {
        switch self {
        case .object(let object): object.containsDuplicateKeys
        case .array(let elements): elements.contains { $0.containsDuplicateKeys }
        default: false
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member `key` of an object (the last one when the key is duplicated); nil for other values.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { JSONObject.Member(key: $0.0, value: $0.1) }))
    }
}
