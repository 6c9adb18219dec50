import IdentityRules
import KubeJSON

/// What only a view of every stored object shows, in one place, each check under the rule id it reports:
///
/// - `user.email-unique` — Users sharing an email: every member of the group is reported, naming the others;
/// - `identity.user-exists` — an Identity whose `user.name` names no stored User;
/// - `identity.user-exists` — an Identity whose `user.uid` is set and is not that User's uid.
///
/// Each looks at the one object it is about and at the ``StoredUserIndex``, never at the other objects, so that
/// an audit can check objects as they go past once the index holds every User. The first two are the webhook's
/// own rules asked with the index as their email index (so their messages are the webhook's); the uid check is
/// the audit's alone — the webhook cannot know a uid before the User is stored.
struct CrossObjectChecks: Sendable {
    /// The rules these checks report: the audit's engine for single objects leaves them out.
    static let ruleIDs: [RuleID] = [UserEmailUniqueRule().id, IdentityUserExistsRule().id]

    private let sharedEmail: Enforcement?
    private let userExists: Enforcement?

    init(configuration: RuleConfiguration) {
        sharedEmail = Self.active(configuration.enforcement(for: UserEmailUniqueRule().id))
        userExists = Self.active(configuration.enforcement(for: IdentityUserExistsRule().id))
    }

    /// The findings about `subject`'s object that need the other stored objects, but not its uid (see
    /// ``uidMismatch(_:index:)``); `subject.emailIndex` is the index.
    func findings(_ subject: RuleSubject) -> [Finding] {
        switch subject.kind {
        case .user:
            guard let sharedEmail else { return [] }
            return UserEmailUniqueRule().validate(subject).map { Finding(violation: $0, enforcement: sharedEmail) }
        case .identity:
            guard let userExists else { return [] }
            return IdentityUserExistsRule().validate(subject).map { Finding(violation: $0, enforcement: userExists) }
        }
    }

    /// `identity.user-exists` for an Identity whose `user.uid` is set and names a stored User whose uid is another.
    func uidMismatch(_ subject: RuleSubject, index: some StoredUsers) -> Finding? {
        guard subject.kind == .identity, let userExists,
            let user = subject.object["user"]?["name"]?.stringValue,
            let uid = subject.object["user"]?["uid"]?.stringValue, !uid.isEmpty,
            let stored = index.uid(ofUser: user), stored != uid
        else { return nil }
        let violation = Violation(rule: IdentityUserExistsRule().id, field: FieldPath("user", "uid"), type: .invalid,
                                  badValue: .string(uid),
                                  detail: "does not match the uid of User \(GoQuote.quote(user)) (\(stored))")
        return Finding(violation: violation, enforcement: userExists)
    }

    private static func active(_ enforcement: Enforcement?) -> Enforcement? {
        guard let enforcement, enforcement != .off else { return nil }
        return enforcement
    }
}
