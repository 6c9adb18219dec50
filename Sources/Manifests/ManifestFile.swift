public import IdentityRules
public import KubeJSON

/// One input read in full: its name, text and documents, or the error that made it unusable.
///
/// Kept whole (text included) so that `mutate --in-place` can rewrite only the documents that change.
public struct ManifestFile: Sendable {
    /// The file as named in output: the path as given or found, `stdin` for standard input.
    public var name: String
    /// The path to write back to, nil for standard input.
    public var path: String?
    public var text: String
    public var syntax: ManifestSyntax
    /// The governed and other documents, List items expanded, in file order.
    public var documents: [ManifestDocument]
    /// The YAML documents (`---` sections, empty ones excluded) as read, Lists not expanded.
    public var sourceValues: [JSONValue]
    /// Why the file could not be used; its documents are then empty.
    public var error: InputError?

    public init(name: String, path: String?, text: String, syntax: ManifestSyntax, documents: [ManifestDocument],
                sourceValues: [JSONValue], error: InputError? = nil)
    {
        self.name = name
        self.path = path
        self.text = text
        self.syntax = syntax
        self.documents = documents
        self.sourceValues = sourceValues
        self.error = error
    }
}
