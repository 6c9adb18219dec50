import IdentityRules
import Yams
public import KubeJSON

/// Writes a ``JSONValue`` as block-style YAML, the way `kubectl get -o yaml` lays objects out.
///
/// `mutate` prints and writes back documents with it. Key order is kept as read; a string is written plain
/// only when YAML would read it back as the same string (not `true`, `1.0`, `null`, `2024-01-01`, nothing that
/// starts with an indicator or holds `: ` or ` #`), otherwise double-quoted with escapes, so that reading the
/// output gives back exactly the value that was written.
public enum YAMLEmitter {
    /// One document, ending with a newline.
    public static func document(_ value: JSONValue) -> String {
        var output = ""
        switch value {
        case .object(let object) where !object.isEmpty:
            writeMembers(object, indent: 0, into: &output)
        case .array(let elements) where !elements.isEmpty:
            writeElements(elements, indent: 0, into: &output)
        default:
            output += scalar(value) + "\n"
        }
        return output
    }

    /// Several documents separated by `---`.
    public static func stream(_ values: [JSONValue]) -> String {
        values.map(document).joined(separator: "---\n")
    }

    private static func writeMembers(_ object: JSONObject, indent: Int, into output: inout String) {
        let pad = String(repeating: " ", count: indent)
        for member in object.members {
            output += pad + string(member.key) + ":"
            writeNested(member.value, indent: indent, into: &output)
        }
    }

    /// The value after `key:`: inline for scalars and empty containers, else on the next lines. Sequences sit
    /// at their key's indentation (kubectl's style), mappings two spaces deeper.
    private static func writeNested(_ value: JSONValue, indent: Int, into output: inout String) {
        switch value {
        case .object(let object) where !object.isEmpty:
            output += "\n"
            writeMembers(object, indent: indent + 2, into: &output)
        case .array(let elements) where !elements.isEmpty:
            output += "\n"
            writeElements(elements, indent: indent, into: &output)
        default:
            output += " " + scalar(value) + "\n"
        }
    }

    private static func writeElements(_ elements: [JSONValue], indent: Int, into output: inout String) {
        let pad = String(repeating: " ", count: indent)
        for element in elements {
            switch element {
            case .object(let object) where !object.isEmpty:
                // The first member on the dash line, the others aligned under it.
                var rest = ""
                writeMembers(object, indent: indent + 2, into: &rest)
                output += pad + "- " + rest.dropFirst(indent + 2)
            case .array(let nested) where !nested.isEmpty:
                output += pad + "-\n"
                writeElements(nested, indent: indent + 2, into: &output)
            default:
                output += pad + "- " + scalar(element) + "\n"
            }
        }
    }

    /// A scalar or an empty container, inline.
    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .float(let literal): literal
        case .string(let text): string(text)
        case .array: "[]"
        case .object: "{}"
        }
    }

    /// `text` plain when that reads back as the same string, else double-quoted.
    static func string(_ text: String) -> String {
        isPlainSafe(text) ? text : doubleQuoted(text)
    }

    private static func isPlainSafe(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return false }
        switch first {
        case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"),
            UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"),
            UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: " "):
            return false
        default:
            break
        }
        if last == UInt8(ascii: " ") || last == UInt8(ascii: ":") { return false }
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte < 0x20 || byte == 0x7F { return false }
            if byte == UInt8(ascii: "#") && previous == UInt8(ascii: " ") { return false }
            if byte == UInt8(ascii: " ") && previous == UInt8(ascii: ":") { return false }
            previous = byte
        }
        for scalar in text.unicodeScalars where scalar.value >= 0x80 {
            if scalar.value < 0xA0 || scalar.value == 0xFEFF || scalar.value == 0x2028 || scalar.value == 0x2029
                || (0xE000...0xF8FF).contains(scalar.value)
            {
                return false
            }
        }
        return YAMLScalarResolver.resolve(text) == .str
    }

    private static func doubleQuoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            default:
                let value = scalar.value
                if value < 0x20 || value == 0x7F || (0x80..<0xA0).contains(value) {
                    output += "\\x" + hex(value, digits: 2)
                } else if value == 0xFEFF || value == 0x2028 || value == 0x2029 {
                    output += "\\u" + hex(value, digits: 4)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
