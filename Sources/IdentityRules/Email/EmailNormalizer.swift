/// How emails are compared: trimmed of white space, then lowercased with Unicode's full case mapping.
///
/// Swift's String comparison is canonical-equivalence aware, so composed and decomposed forms of the same
/// accented letter also compare equal.
public enum EmailNormalizer {
    public static func normalize(_ email: String) -> String {
        // Already normalized — ASCII, lowercase, nothing to trim — is the usual case, checked on the bytes in place.
        let normalized = email.utf8.withContiguousStorageIfAvailable { utf8 in
            guard let first = utf8.first, let last = utf8.last, first > 0x20, last > 0x20 else { return false }
            return utf8.allSatisfy { $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        }
        if normalized == true { return email }
        var text = Substring(email)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        if text.utf8.allSatisfy({ $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
            return String(text)
        }
        return text.lowercased()
    }
}
