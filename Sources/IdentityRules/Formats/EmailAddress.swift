import KubeJSON

/// The shape `spec.email` must have: an address or username with no white space, and, when it holds `@`, a
/// plausible address.
///
/// Alauda uses the email as "the user's email address or username … any unique string", so a string without
/// `@` is fine; with `@` it is split at the last `@` into a local part of 1–64 characters and a domain of
/// dot-separated labels (letters — Unicode ones too, for internationalized domains — digits and hyphens,
/// 1–63 characters each, no hyphen at either end), not ending in `.`.
public enum EmailAddress {
    public static let maximumLength = 254
    public static let maximumLocalPartLength = 64

    /// Why `text` is not an acceptable `spec.email`, or nil when it is. Length is checked by the caller.
    /// Lengths count characters (Unicode scalars, as Go counts runes), as the README's rule catalogue states them.
    public static func problem(in text: String) -> String? {
        var text = text
        // ASCII text (nearly every email) is checked on its bytes in place, without a copy.
        let asciiVerdict: String?? = text.withUTF8 { bytes in
            bytes.allSatisfy { $0 < 0x80 } ? .some(asciiProblem(in: bytes)) : .none
        }
        if let asciiVerdict { return asciiVerdict }
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace || !GoQuote.isPrintable($0) }) {
            return "must not contain white space or control characters"
        }
        guard let at = text.lastIndex(of: "@") else { return nil }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        if local.isEmpty || local.unicodeScalars.count > maximumLocalPartLength {
            return "must have 1 to \(maximumLocalPartLength) characters before the last \"@\""
        }
        if domain.hasSuffix(".") {
            return "must not end with \".\""
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels where !isDomainLabel(label) {
            return "must have a domain of dot-separated labels of letters, digits and hyphens after the last \"@\""
        }
        return nil
    }

    /// The same checks on ASCII bytes, without the grapheme-cluster work String operations do.
    private static func asciiProblem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            return "must not contain white space or control characters"
        }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        if at == 0 || at > maximumLocalPartLength {
            return "must have 1 to \(maximumLocalPartLength) characters before the last \"@\""
        }
        if bytes.last == UInt8(ascii: ".") { return "must not end with \".\"" }
        var labelStart = at + 1
        for index in (at + 1)...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ".") {
            if !isASCIIDomainLabel(bytes[labelStart..<index]) {
                return "must have a domain of dot-separated labels of letters, digits and hyphens after the last \"@\""
            }
            labelStart = index + 1
        }
        return nil
    }

    private static func isASCIIDomainLabel(_ label: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard let first = label.first, let last = label.last, label.count <= 63,
            first != UInt8(ascii: "-"), last != UInt8(ascii: "-")
        else { return false }
        return label.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
    }

    private static func isDomainLabel(_ label: Substring) -> Bool {
        guard !label.isEmpty, label.unicodeScalars.count <= 63, label.first != "-", label.last != "-" else {
            return false
        }
        return label.unicodeScalars.allSatisfy { scalar in
            scalar == "-" || scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal
                || scalar.properties.generalCategory == .nonspacingMark
                || scalar.properties.generalCategory == .spacingMark
        }
    }
}
