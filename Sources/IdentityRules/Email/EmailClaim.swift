/// A User email that an allowed, non-dry-run CREATE or UPDATE now claims: held for that User until the
/// cluster shows it stored (README, "Unique emails against the live cluster").
public struct EmailClaim: Sendable, Hashable {
    public var userName: String
    public var normalizedEmail: String

    public init(userName: String, normalizedEmail: String) {
        self.userName = userName
        self.normalizedEmail = normalizedEmail
    }
}
