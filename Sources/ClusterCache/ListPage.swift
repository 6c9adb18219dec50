public import KubeJSON

/// One page of a list, as the API server returns it.
public struct ListPage: Sendable {
    public var items: [JSONObject]
    /// The list's resourceVersion (the same on every page of one list).
    public var resourceVersion: String
    /// Where the next page starts; nil on the last page.
    public var continueToken: String?

    public init(items: [JSONObject], resourceVersion: String, continueToken: String?) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }
}
