/// Why a byte sequence is not the JSON document we can accept, and where.
///
/// A struct with a code (not an enum) so that codes can be added without breaking callers, as
/// swift-certificates does with `CertificateError`. The message names the byte offset so that a user can find
/// the problem in the body or file.
public struct JSONReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the reader met.
    public enum Code: String, Sendable, Hashable {
        case emptyInput = "empty input"
        case unexpectedEndOfInput = "unexpected end of input"
        case unexpectedCharacter = "unexpected character"
        case invalidNumber = "invalid number"
        case invalidEscape = "invalid escape sequence"
        case invalidUTF8 = "invalid UTF-8"
        case controlCharacterInString = "unescaped control character in string"
        case nestingTooDeep = "nesting too deep"
        case trailingContent = "unexpected content after the JSON value"
    }

    public var code: Code
    /// Byte offset from the start of the input.
    public var offset: Int
    /// Extra words for the message, such as the character that was met or the depth limit.
    public var context: String?

    public init(_ code: Code, offset: Int, context: String? = nil) {
        self.code = code
        self.offset = offset
        self.context = context
    }

    public var description: String {
        var text = "invalid JSON at byte \(offset): \(code.rawValue)"
        if let context { text += " (\(context))" }
        return text
    }
}
