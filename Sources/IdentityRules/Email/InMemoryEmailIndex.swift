/// An email index held in memory: the offline checker's, the tests', and the cluster cache's storage.
///
/// Shaped for a million Users (the cache holds one per stored User): one dictionary from name to normalized email
/// (the empty string for a User without one, so the names need no set of their own) and one from email to its
/// holders, where the usual single holder without an origin is stored inline as its name — no array, no second
/// copy of the strings (keys and values share their buffers).
public struct InMemoryEmailIndex: EmailIndex, Sendable {
    /// The holders of one email: nearly always one User seen in the cluster.
    private enum Holders: Sendable {
        case name(String)
        case many([EmailHolder])

        var list: [EmailHolder] {
            switch self {
            case .name(let name): [EmailHolder(name: name)]
            case .many(let holders): holders
            }
        }
    }

    private var holdersByEmail: [String: Holders] = [:]
    private var emailByName: [String: String] = [:]

    public init() {}

    /// An index holding `(name, email)` pairs.
    public init(_ users: [(name: String, email: String)]) {
        for user in users { upsert(name: user.name, email: user.email) }
    }

    /// Records that User `name` holds `email` (replacing the email it held before), seen at `origin`. A nil
    /// email records a User without one.
    public mutating func upsert(name: String, email: String?, origin: EmailHolder.Origin? = nil) {
        remove(name: name)
        let normalized = email.map(EmailNormalizer.normalize) ?? ""
        emailByName[name] = normalized
        guard !normalized.isEmpty else { return }
        switch holdersByEmail[normalized] {
        case nil:
            holdersByEmail[normalized] = origin == nil ? .name(name) : .many([EmailHolder(name: name, origin: origin)])
        case let existing?:
            holdersByEmail[normalized] = .many(existing.list + [EmailHolder(name: name, origin: origin)])
        }
    }

    /// Forgets User `name`.
    public mutating func remove(name: String) {
        guard let old = emailByName.removeValue(forKey: name), !old.isEmpty,
            let holders = holdersByEmail[old]
        else { return }
        let rest = holders.list.filter { $0.name != name }
        switch rest.count {
        case 0: holdersByEmail[old] = nil
        case 1 where rest[0].origin == nil: holdersByEmail[old] = .name(rest[0].name)
        default: holdersByEmail[old] = .many(rest)
        }
    }

    public var userCount: Int { emailByName.count }

    /// The names of the Users held.
    public var userNames: Dictionary<String, String>.Keys { emailByName.keys }

    /// The normalized email User `name` holds, if any.
    public func normalizedEmail(ofUser name: String) -> String? {
        guard let email = emailByName[name], !email.isEmpty else { return nil }
        return email
    }

    public func holders(ofNormalizedEmail normalizedEmail: String) -> [EmailHolder] {
        holdersByEmail[normalizedEmail]?.list ?? []
    }

    /// Without making the one-holder list when that holder is `name` (a User reviewed again with its email).
    public func holders(ofNormalizedEmail normalizedEmail: String, besides name: String) -> [EmailHolder] {
        switch holdersByEmail[normalizedEmail] {
        case nil: []
        case .name(let holder)?: holder == name ? [] : [EmailHolder(name: holder)]
        case .many(let holders)?: holders.filter { $0.name != name }
        }
    }

    public func containsUser(named name: String) -> Bool {
        emailByName[name] != nil
    }
}
