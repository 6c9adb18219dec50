/// How emails are compared: trimmed of white space, then lowercased with Unicode's full case mapping.
///
/// Swift's String comparison is canonical-equivalence aware, so composed and decomposed forms of the same
/// accented letter also compare equal.
public enum EmailNormalizer {
    public static func normalize(_ email: String) -> String {
        let utf8 = email.utf8
        if let first = utf8.first, let last = utf8.last, first > 0x20, last > 0x20,
            utf8.allSatisfy({ $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) })
        {
            return email  // already normalized: ASCII, lowercase, nothing to trim
        }
        var text = Substring(email)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        if text.utf8.allSatisfy({ $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
            return String(text)
        }
        return text.lowercased()
    }
}
