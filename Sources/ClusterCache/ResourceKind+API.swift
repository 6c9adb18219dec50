public import IdentityRules

extension ResourceKind {
    /// The collection's URL path on the API server: `/apis/auth.alauda.io/v1/users`.
    public var collectionPath: String { "/apis/\(group)/\(version)/\(resource)" }

    /// `users.auth.alauda.io`, as kubectl and the API server's messages name a resource.
    public var qualifiedResource: String { "\(resource).\(group)" }
}
