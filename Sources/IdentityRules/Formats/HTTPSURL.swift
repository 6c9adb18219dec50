import KubeJSON

/// Decides whether a string is an absolute `https` URL a platform can deliver notifications to.
///
/// RFC 3986's shape, checked without Foundation: scheme `https`, `//`, a non-empty host (name, IPv4 or
/// bracketed IPv6), an optional port 1–65535, then any path, query and fragment without white space or
/// control characters.
public enum HTTPSURL {
    public static func isValid(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        let prefix = Array("https://".utf8)
        guard utf8.count > prefix.count,
            zip(utf8, prefix).allSatisfy({ asciiLowercase($0) == $1 })
        else { return false }
        guard text.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && GoQuote.isPrintable($0) }) else {
            return false
        }
        let rest = utf8[prefix.count...]
        let authorityEnd = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?")
            || $0 == UInt8(ascii: "#") }) ?? rest.endIndex
        var authority = rest[rest.startIndex..<authorityEnd]
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) {
            authority = authority[(at + 1)...]
        }
        guard !authority.isEmpty else { return false }
        var host = authority
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")), close > authority.startIndex + 1 else {
                return false
            }
            host = authority[authority.startIndex...close]
            let afterHost = authority[(close + 1)...]
            return afterHost.isEmpty || isPort(afterHost)
        }
        if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
            host = authority[authority.startIndex..<colon]
            guard isPort(authority[colon...]) else { return false }
        }
        guard !host.isEmpty else { return false }
        return host.allSatisfy { byte in
            byte >= 0x80 || isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "%")
        }
    }

    /// `:` followed by 1–5 digits making 1…65535.
    private static func isPort(_ text: ArraySlice<UInt8>) -> Bool {
        guard text.first == UInt8(ascii: ":") else { return false }
        let digits = text.dropFirst()
        guard (1...5).contains(digits.count), digits.allSatisfy({ (48...57).contains($0) }) else { return false }
        let port = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        return (1...65535).contains(port)
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        (65...90).contains(byte) ? byte + 32 : byte
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }
}
