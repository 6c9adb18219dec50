public import KubeJSON

/// One way an object breaks one rule: a value, never a thrown error.
///
/// Shaped like Kubernetes' `field.Error` (type, field, bad value, detail) so that ``message`` reads exactly
/// like the apiserver's own field errors, e.g.
/// `spec.state: Unsupported value: "sleeping": supported values: "active", "disabled", "locked", "invalid"`.
public struct Violation: Sendable, Hashable {
    public var ruleID: RuleID
    public var field: FieldPath
    public var type: ViolationType
    public var badValue: BadValue
    public var detail: String

    public init(rule: RuleID, field: FieldPath, type: ViolationType, badValue: BadValue = .omitted,
                detail: String = "")
    {
        ruleID = rule
        self.field = field
        self.type = type
        self.badValue = badValue
        self.detail = detail
    }

    /// The message without the field path, as the apiserver puts it in a `StatusCause.message`.
    public var body: String {
        var text = type.words
        switch type {
        case .required, .forbidden, .tooLong:
            break
        default:
            if let rendered = badValue.rendered { text += ": " + rendered }
        }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }

    /// `<field>: <type>: <value>: <detail>`, the apiserver's `field.Error.Error()`.
    public var message: String {
        field.isRoot ? body : "\(field): \(body)"
    }
}

/// The Kubernetes `field.ErrorType`s identity-guard reports, with their words and `StatusCause` reasons.
public enum ViolationType: String, Sendable, Hashable, CaseIterable {
    case required
    case invalid
    case typeInvalid
    case notSupported
    case duplicate
    case forbidden
    case tooLong
    case tooMany

    /// The words in a message: `Required value`, `Invalid value`, …
    public var words: String {
        switch self {
        case .required: "Required value"
        case .invalid, .typeInvalid: "Invalid value"
        case .notSupported: "Unsupported value"
        case .duplicate: "Duplicate value"
        case .forbidden: "Forbidden"
        case .tooLong: "Too long"
        case .tooMany: "Too many"
        }
    }

    /// The `StatusCause.reason` the apiserver uses for this type.
    public var causeReason: String {
        switch self {
        case .required: "FieldValueRequired"
        case .invalid: "FieldValueInvalid"
        case .typeInvalid: "FieldValueTypeInvalid"
        case .notSupported: "FieldValueNotSupported"
        case .duplicate: "FieldValueDuplicate"
        case .forbidden: "FieldValueForbidden"
        case .tooLong: "FieldValueTooLong"
        case .tooMany: "FieldValueTooMany"
        }
    }
}

/// The offending value as a message shows it — or not at all, for secrets.
///
/// Go's `field.Error` prints strings with `%q` and numbers and booleans as they are; identity-guard also never
/// prints a secret (`spec.password`, a webhook URL that may carry a token), so such values are `.omitted`.
public enum BadValue: Sendable, Hashable {
    case omitted
    case string(String)
    /// A number, boolean or null, printed as its JSON literal.
    case literal(String)

    /// How a JSON value is shown: scalars as themselves, arrays and objects by their type name (as the
    /// apiserver's schema validation does), so that no nested secret is ever printed.
    public init(_ value: JSONValue) {
        switch value {
        case .null: self = .literal("null")
        case .bool(let flag): self = .literal(flag ? "true" : "false")
        case .integer(let number): self = .literal(String(number))
        case .float(let literal): self = .literal(literal)
        case .string(let text): self = .string(text)
        case .array, .object: self = .string(value.typeName)
        }
    }

    public var rendered: String? {
        switch self {
        case .omitted: nil
        case .string(let text): GoQuote.quote(text)
        case .literal(let literal): literal
        }
    }
}
