/// The kinds identity-guard governs, with what messages and the webhook need to know about each.
public enum ResourceKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `User` in `auth.alauda.io/v1`.
    case user = "User"
    /// `Identity` in `user.openshift.io/v1`.
    case identity = "Identity"

    public var group: String {
        switch self {
        case .user: "auth.alauda.io"
        case .identity: "user.openshift.io"
        }
    }

    public var version: String { "v1" }
    public var kind: String { rawValue }
    public var apiVersion: String { "\(group)/\(version)" }

    /// The plural resource name: `users`, `identities`.
    public var resource: String {
        switch self {
        case .user: "users"
        case .identity: "identities"
        }
    }

    /// `User.auth.alauda.io`, as the apiserver names a kind in `"… is invalid"` messages.
    public var qualifiedKind: String { "\(rawValue).\(group)" }

    public var description: String { rawValue }

    /// "a User", "an Identity", for messages.
    public var withArticle: String {
        switch self {
        case .user: "a User"
        case .identity: "an Identity"
        }
    }

    /// The governed kind for a group/version/kind, or nil for anything else (which is allowed untouched).
    public init?(group: String, version: String, kind: String) {
        guard let match = ResourceKind.allCases.first(where: {
            $0.group == group && $0.version == version && $0.kind == kind
        }) else { return nil }
        self = match
    }

    /// The governed kind for an object's own `apiVersion` and `kind`, as found in YAML files.
    public init?(apiVersion: String, kind: String) {
        guard let match = ResourceKind.allCases.first(where: { $0.apiVersion == apiVersion && $0.kind == kind })
        else { return nil }
        self = match
    }
}
