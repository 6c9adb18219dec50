#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import IdentityRules
public import KubeJSON

/// The stored Users in about 55 bytes each, for a paged audit of a million of them: a count per email hash, a uid
/// per name hash, and the names and emails of only the Users whose email another User may share.
///
/// Filled in two passes over the listed Users: ``count(user:)`` on each (the hashes), then ``collect(user:)`` on
/// each (the Users of a shared email, by their real normalized email — so a hash collision never makes a false
/// finding). Names are known by a 64-bit hash (`Hasher`, stable within the process): with a million Users the
/// chance that an Identity naming a missing User hashes like an existing one is about 10⁻⁸. Uids are kept as
/// 16-byte UUIDs (as Kubernetes writes them; any other uid is kept as its string).
public struct CompactStoredUsers: StoredUsers, Sendable {
    private var emailCounts: [Int: UInt32] = [:]
    private var uuids: [Int: UUID] = [:]
    private var otherUIDs: [Int: String] = [:]
    private var shared = InMemoryEmailIndex()

    public init() {}

    /// First pass: counts `user`'s email and records its name and uid.
    public mutating func count(user: JSONObject) {
        guard let name = user["metadata"]?["name"]?.stringValue else { return }
        let key = Self.hash(name)
        if let uid = user["metadata"]?["uid"]?.stringValue {
            if let uuid = UUID(uuidString: uid), uuid.uuidString.lowercased() == uid {
                uuids[key] = uuid
            } else {
                otherUIDs[key] = uid
            }
        } else {
            uuids[key] = nil
            otherUIDs[key] = ""
        }
        if let email = normalizedEmail(of: user) { emailCounts[Self.hash(email), default: 0] += 1 }
    }

    /// Second pass: keeps `user`'s name and email when its email hash was counted more than once.
    public mutating func collect(user: JSONObject) {
        guard let name = user["metadata"]?["name"]?.stringValue, let email = normalizedEmail(of: user),
            (emailCounts[Self.hash(email)] ?? 0) > 1
        else { return }
        shared.upsert(name: name, email: user["spec"]?["email"]?.stringValue)
    }

    /// The Users counted.
    public var userCount: Int { uuids.count + otherUIDs.count }

    public func holders(ofNormalizedEmail normalizedEmail: String) -> [EmailHolder] {
        shared.holders(ofNormalizedEmail: normalizedEmail)
    }

    public func containsUser(named name: String) -> Bool {
        let key = Self.hash(name)
        return uuids[key] != nil || otherUIDs[key] != nil
    }

    public func uid(ofUser name: String) -> String? {
        let key = Self.hash(name)
        if let uuid = uuids[key] { return uuid.uuidString.lowercased() }
        if let other = otherUIDs[key], !other.isEmpty { return other }
        return nil
    }

    private func normalizedEmail(of user: JSONObject) -> String? {
        guard let email = user["spec"]?["email"]?.stringValue else { return nil }
        let normalized = EmailNormalizer.normalize(email)
        return normalized.isEmpty ? nil : normalized
    }

    private static func hash(_ text: String) -> Int {
        var hasher = Hasher()
        hasher.combine(text)
        return hasher.finalize()
    }
}
