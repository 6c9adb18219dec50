public import IdentityRules
public import KubeJSON

/// A file with the mutating rules applied: its documents as they are now, what each rule did, and the text to
/// write back.
public struct MutatedFile: Sendable {
    /// What the mutating rules changed in one document.
    public struct Change: Sendable, Hashable {
        public var document: Int
        public var kind: String
        public var name: String
        public var position: SourcePosition
        /// What each rule did, in catalogue order.
        public var mutations: [Mutation]
        /// The fields set or removed: `removed spec.password, set spec.is_disabled: false`.
        public var summary: String

        public init(document: Int, kind: String, name: String, position: SourcePosition, mutations: [Mutation],
                    summary: String)
        {
            self.document = document
            self.kind = kind
            self.name = name
            self.position = position
            self.mutations = mutations
            self.summary = summary
        }
    }

    /// A document in which an exemption kept mutating rules from changing it.
    public struct Exempted: Sendable, Hashable {
        public var position: SourcePosition
        public var exemptions: [AppliedExemption]

        public init(position: SourcePosition, exemptions: [AppliedExemption]) {
            self.position = position
            self.exemptions = exemptions
        }
    }

    public var file: ManifestFile
    /// Documents an exemption kept unchanged, in file order.
    public var exempted: [Exempted] = []
    /// The YAML documents of the file (Lists whole), mutated where a rule applied.
    public var values: [JSONValue]
    public var changes: [Change]
    /// Which YAML documents changed.
    public var changedDocuments: Set<Int>

    public init(file: ManifestFile, values: [JSONValue], changes: [Change], changedDocuments: Set<Int>) {
        self.file = file
        self.values = values
        self.changes = changes
        self.changedDocuments = changedDocuments
    }

    public var isChanged: Bool { !changedDocuments.isEmpty }

    /// The file's new text in its own syntax: JSON files as indented JSON; YAML files with only the changed
    /// documents rewritten (others keep their bytes and comments) where the document boundaries are clear.
    public var rewrittenText: String {
        if file.syntax == .json && values.count == 1 {
            return JSONWriter.string(values[0], indentation: 2) + "\n"
        }
        var replacements: [Int: String] = [:]
        for index in changedDocuments { replacements[index] = YAMLEmitter.document(values[index]) }
        return YAMLDocumentSplicer.splice(file.text, replacements: replacements, documentCount: values.count)
            ?? YAMLEmitter.stream(values)
    }
}
