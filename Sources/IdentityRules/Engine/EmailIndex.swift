/// Which Users hold which email: what `user.email-unique` and `identity.user-exists` ask about.
///
/// An abstraction because the answer comes from different places: the offline checker fills an
/// ``InMemoryEmailIndex`` from the files it reads, the webhook from the cluster's list/watch cache plus its own
/// reservations.
public protocol EmailIndex: Sendable {
    /// The names of the Users whose email normalizes to `normalizedEmail` (see ``EmailNormalizer``).
    func userNames(forNormalizedEmail normalizedEmail: String) -> [String]
    /// Whether a User with this `metadata.name` is known.
    func containsUser(named name: String) -> Bool
}

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

/// An email index held in memory: the offline checker's, the tests', and the cluster cache's storage.
public struct InMemoryEmailIndex: EmailIndex, Sendable {
    private var namesByEmail: [String: [String]] = [:]
    private var emailByName: [String: String] = [:]
    private var knownNames: Set<String> = []

    public init() {}

    /// An index holding `(name, email)` pairs.
    public init(_ users: [(name: String, email: String)]) {
        for user in users { upsert(name: user.name, email: user.email) }
    }

    /// Records that User `name` holds `email` (replacing the email it held before). A nil email records a
    /// User without one.
    public mutating func upsert(name: String, email: String?) {
        remove(name: name)
        knownNames.insert(name)
        guard let email else { return }
        let normalized = EmailNormalizer.normalize(email)
        guard !normalized.isEmpty else { return }
        emailByName[name] = normalized
        namesByEmail[normalized, default: []].append(name)
    }

    /// Forgets User `name`.
    public mutating func remove(name: String) {
        knownNames.remove(name)
        guard let old = emailByName.removeValue(forKey: name) else { return }
        namesByEmail[old]?.removeAll { $0 == name }
        if namesByEmail[old]?.isEmpty == true { namesByEmail[old] = nil }
    }

    public var userCount: Int { knownNames.count }

    public func email(ofUser name: String) -> String? { emailByName[name] }

    public func userNames(forNormalizedEmail normalizedEmail: String) -> [String] {
        namesByEmail[normalizedEmail] ?? []
    }

    public func containsUser(named name: String) -> Bool {
        knownNames.contains(name)
    }
}
