public import IdentityRules
public import KubeJSON

/// The stored Users as the audit's checks across objects need them — name, email and uid, never whole objects.
///
/// A check about one object asks this index, not every other object: filled one User at a time
/// (``add(user:)``), it is what an audit keeps of the Users it has gone past — a few strings per User, where the
/// whole objects cost kilobytes each — and the ``IdentityRules/EmailIndex`` the webhook's uniqueness rules read.
public struct StoredUserIndex: EmailIndex, Sendable {
    private var emails = InMemoryEmailIndex()
    private var uids: [String: String] = [:]

    public init() {}

    /// An index of `users`, as listed.
    public init(users: [JSONObject]) {
        for user in users { add(user: user) }
    }

    /// Records a stored User: its name, email and uid (a User without a name is not recorded).
    public mutating func add(user: JSONObject) {
        guard let name = user["metadata"]?["name"]?.stringValue else { return }
        emails.upsert(name: name, email: user["spec"]?["email"]?.stringValue)
        uids[name] = user["metadata"]?["uid"]?.stringValue
    }

    /// The uid of the stored User `name`, when it is known.
    public func uid(ofUser name: String) -> String? {
        uids[name]
    }

    public var userCount: Int { emails.userCount }

    public func holders(ofNormalizedEmail normalizedEmail: String) -> [EmailHolder] {
        emails.holders(ofNormalizedEmail: normalizedEmail)
    }

    public func containsUser(named name: String) -> Bool {
        emails.containsUser(named: name)
    }
}
