public import IdentityRules
public import KubeJSON
public import Logging

/// Walks a paged list (`limit` + `continue`) to its end; an expired continue token (410) starts it over.
///
/// The one pager of the module: the ``Watcher`` lists through it page by page (so a list of 100,000 objects is
/// never held whole), and ``collect(client:kind:pageSize:keep:)`` gathers what one-shot callers keep of each
/// object (`check --kubeconfig`).
public struct ListPager: Sendable {
    /// One page, and whether the list started over before it (the caller drops what it kept).
    public struct Page: Sendable {
        public var items: [JSONObject]
        public var restarted: Bool
    }

    public let client: KubernetesClient
    public let kind: ResourceKind
    public let pageSize: Int
    private var continueToken: String?
    /// The list's resourceVersion, known after the first page: where a watch of the same kind starts.
    public private(set) var resourceVersion = ""
    /// Whether the last page was read.
    public private(set) var isComplete = false

    public init(client: KubernetesClient, kind: ResourceKind, pageSize: Int = 500) {
        self.client = client
        self.kind = kind
        self.pageSize = pageSize
    }

    /// The next page, or nil once the list is complete.
    public mutating func next(logger: Logger? = nil) async throws(KubernetesError) -> Page? {
        guard !isComplete else { return nil }
        var restarted = false
        let page: ListPage
        do {
            page = try await client.list(kind, limit: pageSize, continueToken: continueToken)
        } catch where error.code == .gone && continueToken != nil {
            logger?.info("list continue token expired; restarting the list",
                         metadata: ["resource": "\(kind.qualifiedResource)"])
            restarted = true
            continueToken = nil
            resourceVersion = ""
            page = try await client.list(kind, limit: pageSize)
        }
        continueToken = page.continueToken
        if resourceVersion.isEmpty { resourceVersion = page.resourceVersion }
        isComplete = continueToken == nil
        return Page(items: page.items, restarted: restarted)
    }

    /// Every object of `kind`, reduced by `keep` as each page arrives, and the list's resourceVersion.
    public static func collect<Kept>(
        client: KubernetesClient,
        kind: ResourceKind,
        pageSize: Int = 500,
        keep: (JSONObject) -> Kept?
    ) async throws(KubernetesError) -> (items: [Kept], resourceVersion: String) {
        var pager = ListPager(client: client, kind: kind, pageSize: pageSize)
        var items: [Kept] = []
        while let page = try await pager.next() {
            if page.restarted { items.removeAll() }
            items.append(contentsOf: page.items.compactMap(keep))
        }
        return (items, pager.resourceVersion)
    }
}
