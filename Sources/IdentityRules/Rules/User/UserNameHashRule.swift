import Crypto
import KubeJSON

/// `user.name-hash`: `metadata.name` is the MD5 of the normalized `spec.email` (Alauda's convention).
///
/// Naming each User after its email's hash makes the apiserver itself refuse a second User with the same
/// email, atomically and across webhook replicas — the one guarantee a cache cannot give. Off by default; a
/// platform that follows the convention turns it on. The email is normalized (trimmed, lowercased) first, so
/// that case variants hash alike.
public struct UserNameHashRule: Rule {
    public let id: RuleID = "user.name-hash"
    public let kind = ResourceKind.user
    public let defaultEnforcement = Enforcement.off
    public let summary = "metadata.name equals md5(lowercased spec.email) in hex (off by default)."

    public init() {}

    /// The 32 lowercase hex characters of MD5 over the normalized email.
    public static func expectedName(forEmail email: String) -> String {
        let digest = Insecure.MD5.hash(data: Array(EmailNormalizer.normalize(email).utf8))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    public func validate(_ subject: RuleSubject) -> [Violation] {
        guard let email = subject.spec?["email"]?.stringValue,
            !EmailNormalizer.normalize(email).isEmpty
        else { return [] }
        let expected = Self.expectedName(forEmail: email)
        guard subject.name != expected else { return [] }
        return [violation(FieldPath("metadata", "name"), .invalid, .string(subject.name),
                          "must be md5 of the lowercased spec.email: \(GoQuote.quote(expected))")]
    }
}
