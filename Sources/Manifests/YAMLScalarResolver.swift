public import Yams

/// Resolves the type of a plain YAML scalar as Yams' default (YAML 1.1) resolver does, without its regexes
/// for the common case.
///
/// Yams resolves every scalar, keys included, with up to seven regular expressions; that is most of the cost of
/// composing a manifest. Names, emails and URLs start with a letter or a symbol that no number, boolean, null or
/// timestamp starts with, and those few words are compared directly; only scalars that start like a number
/// (`0-9 + - . ~ < =`) go to the regexes. The outcome is the same as `Resolver.default`'s.
public enum YAMLScalarResolver {
    private static let booleans: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]
    private static let nulls: Set<String> = ["null", "Null", "NULL"]

    public static func resolve(_ text: String) -> Tag.Name {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: "="):
            return Resolver.default.resolveTag(of: .scalar(Node.Scalar(text)))
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
            UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            let count = text.utf8.count
            guard count <= 5 else { return .str }
            if booleans.contains(text) { return .bool }
            if nulls.contains(text) { return .null }
            return .str
        default:
            return .str
        }
    }
}
