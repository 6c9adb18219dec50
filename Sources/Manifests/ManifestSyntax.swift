/// How a manifest file is written, so that `mutate --in-place` writes it back the same way.
public enum ManifestSyntax: String, Sendable, Hashable {
    case yaml
    case json

    /// JSON when the first significant character opens a JSON object or array, YAML otherwise.
    public static func detect(_ text: String) -> ManifestSyntax {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0xEF, 0xBB, 0xBF:
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return .json
            default:
                return .yaml
            }
        }
        return .yaml
    }
}
