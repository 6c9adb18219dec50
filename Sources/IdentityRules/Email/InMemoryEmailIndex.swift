/// An email index held in memory: the offline checker's, the tests', and the cluster cache's storage.
public struct InMemoryEmailIndex: EmailIndex, Sendable {
    private var holdersByEmail: [String: [EmailHolder]] = [:]
    private var emailByName: [String: String] = [:]
    private var knownNames: Set<String> = []

    public init() {}

    /// An index holding `(name, email)` pairs.
    public init(_ users: [(name: String, email: String)]) {
        for user in users { upsert(name: user.name, email: user.email) }
    }

    /// Records that User `name` holds `email` (replacing the email it held before), seen at `origin`. A nil
    /// email records a User without one.
    public mutating func upsert(name: String, email: String?, origin: EmailHolder.Origin? = nil) {
        remove(name: name)
        knownNames.insert(name)
        guard let email else { return }
        let normalized = EmailNormalizer.normalize(email)
        guard !normalized.isEmpty else { return }
        emailByName[name] = normalized
        holdersByEmail[normalized, default: []].append(EmailHolder(name: name, origin: origin))
    }

    /// Forgets User `name`.
    public mutating func remove(name: String) {
        knownNames.remove(name)
        guard let old = emailByName.removeValue(forKey: name) else { return }
        holdersByEmail[old]?.removeAll { $0.name == name }
        if holdersByEmail[old]?.isEmpty == true { holdersByEmail[old] = nil }
    }

    public var userCount: Int { knownNames.count }

    /// The normalized email User `name` holds, if any.
    public func normalizedEmail(ofUser name: String) -> String? {
        emailByName[name]
    }

    public func holders(ofNormalizedEmail normalizedEmail: String) -> [EmailHolder] {
        holdersByEmail[normalizedEmail] ?? []
    }

    public func containsUser(named name: String) -> Bool {
        knownNames.contains(name)
    }
}
