public import IdentityRules
public import KubeJSON

/// One Kubernetes object read from a file: its value, where it is, and where each of its fields was written.
///
/// The unit the checker validates and the mutator rewrites. Items of a `kind: List` are documents of their own
/// (they count, are checked and are reported like top-level documents) that remember their List.
public struct ManifestDocument: Sendable {
    /// The file as named in output.
    public var file: String
    /// 1-based ordinal among the file's documents, List items counted one by one.
    public var index: Int
    /// 0-based position of the YAML document (the `---` section) it was read from.
    public var sourceDocument: Int
    /// The position in the List's `items` when it came from a `kind: List`.
    public var listItem: Int?
    public var value: JSONValue
    public var positions: PositionTable

    public init(file: String, index: Int, sourceDocument: Int, listItem: Int? = nil, value: JSONValue,
                positions: PositionTable)
    {
        self.file = file
        self.index = index
        self.sourceDocument = sourceDocument
        self.listItem = listItem
        self.value = value
        self.positions = positions
    }

    /// The governed kind, or nil for any other object (which is skipped and counted).
    public var resourceKind: ResourceKind? {
        guard let apiVersion = value["apiVersion"]?.stringValue, let kind = value["kind"]?.stringValue else {
            return nil
        }
        return ResourceKind(apiVersion: apiVersion, kind: kind)
    }

    /// `kind` as written (empty when absent).
    public var kindName: String { value["kind"]?.stringValue ?? "" }

    /// `metadata.name` as written (empty when absent).
    public var name: String { value["metadata"]?["name"]?.stringValue ?? "" }

    /// Where the document starts.
    public var position: SourcePosition { positions.documentPosition }

    /// Where `path` was written; the document's own position when the field is absent (README, "Offline check").
    public func position(of path: FieldPath) -> SourcePosition {
        positions.position(of: path, in: value) ?? position
    }
}
