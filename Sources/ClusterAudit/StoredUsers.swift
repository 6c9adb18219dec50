public import IdentityRules

/// What the checks across objects ask of the stored Users: their emails (``IdentityRules/EmailIndex``) and
/// their uids. ``StoredUserIndex`` answers from every User's strings; ``CompactStoredUsers`` from hashes, for a
/// paged audit of a million Users.
public protocol StoredUsers: EmailIndex {
    /// The uid of the stored User `name`, when it is known.
    func uid(ofUser name: String) -> String?
}

extension StoredUserIndex: StoredUsers {}
