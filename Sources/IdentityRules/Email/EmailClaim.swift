/// A User email that an allowed, non-dry-run CREATE or UPDATE now claims: held for that User until the
/// cluster shows it stored (SPEC §3).
public struct EmailClaim: Sendable, Hashable {
    public var userName: String
    public var normalizedEmail: String

    public init(userName: String, normalizedEmail: String) {
        self.userName = userName
        self.normalizedEmail = normalizedEmail
    }
}
