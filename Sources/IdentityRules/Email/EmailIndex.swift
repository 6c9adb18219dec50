/// Which Users hold which email: what `user.email-unique` and `identity.user-exists` ask about.
///
/// An abstraction because the answer comes from different places: the offline checker fills an
/// ``InMemoryEmailIndex`` from the files it reads (each holder with its file position), the webhook from the
/// cluster's list/watch cache plus its own reservations.
public protocol EmailIndex: Sendable {
    /// The Users whose email normalizes to `normalizedEmail` (see ``EmailNormalizer``), with where each was seen.
    func holders(ofNormalizedEmail normalizedEmail: String) -> [EmailHolder]
    /// The holders of `normalizedEmail` other than User `name`: what `user.email-unique` asks on every User
    /// review, where the answer is nearly always "none" (the User itself, or nobody, holds it).
    func holders(ofNormalizedEmail normalizedEmail: String, besides name: String) -> [EmailHolder]
    /// Whether a User with this `metadata.name` is known.
    func containsUser(named name: String) -> Bool
}

extension EmailIndex {
    public func holders(ofNormalizedEmail normalizedEmail: String, besides name: String) -> [EmailHolder] {
        holders(ofNormalizedEmail: normalizedEmail).filter { $0.name != name }
    }

    /// The names of the Users whose email normalizes to `normalizedEmail`.
    public func userNames(forNormalizedEmail normalizedEmail: String) -> [String] {
        holders(ofNormalizedEmail: normalizedEmail).map(\.name)
    }
}
