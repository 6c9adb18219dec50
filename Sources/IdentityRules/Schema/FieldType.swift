/// The type a schema declares for a field, as the seed documents name them.
public indirect enum FieldType: Sendable, Hashable {
    case string
    case integer
    case boolean
    /// `[]string`
    case stringArray
    /// `[]object`: a list of free-form objects.
    case objectArray
    /// `object`: free-form.
    case object
    /// `map[string]string`: keys are data, values must be strings.
    case stringMap
    /// An object with declared fields only.
    case structure(ObjectSchema)

    /// The JSON type name in `must be of type …` messages.
    var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .boolean: "boolean"
        case .stringArray, .objectArray: "array"
        case .object, .stringMap, .structure: "object"
        }
    }
}
