public import IdentityRules
import KubeJSON

/// Applies the mutating rules to every governed document of a file, the offline counterpart of the mutating
/// webhook (`identity-guard mutate`).
///
/// Each document is mutated as a CREATE by the same ``RuleEngine`` the webhook uses, so the output is what the
/// webhook would have admitted; running it again changes nothing (the webhook's patches are idempotent).
public struct ManifestMutator: Sendable {
    public var engine: RuleEngine

    public init(engine: RuleEngine = RuleEngine()) {
        self.engine = engine
    }

    public func mutate(_ file: ManifestFile) -> MutatedFile {
        var values = file.sourceValues
        var changes: [MutatedFile.Change] = []
        var changed: Set<Int> = []
        var exempted: [MutatedFile.Exempted] = []
        for document in file.documents {
            guard let kind = document.resourceKind, let object = document.value.objectValue else { continue }
            let result = engine.mutate(RuleSubject(kind: kind, operation: .create, object: object))
            if !result.exemptions.isEmpty {
                exempted.append(MutatedFile.Exempted(position: document.position, exemptions: result.exemptions))
            }
            guard result.changed else { continue }
            let original = JSONValue.object(result.original)
            let summary = Self.describe(JSONPatch.diff(from: original, to: .object(result.mutated)), of: original)
            changes.append(MutatedFile.Change(document: document.index, kind: kind.kind, name: document.name,
                                              position: document.position, mutations: result.mutations,
                                              summary: summary))
            changed.insert(document.sourceDocument)
            let mutated = JSONValue.object(result.mutated)
            guard let item = document.listItem else {
                values[document.sourceDocument] = mutated
                continue
            }
            guard var list = values[document.sourceDocument].objectValue,
                var items = list["items"]?.arrayValue, items.indices.contains(item)
            else { continue }
            items[item] = mutated
            list["items"] = .array(items)
            values[document.sourceDocument] = .object(list)
        }
        var mutated = MutatedFile(file: file, values: values, changes: changes, changedDocuments: changed)
        mutated.exempted = exempted
        return mutated
    }

    /// The patch as people read it, `removed spec.password, set spec.is_disabled: true`; secret values are
    /// never shown (removed fields are named only, set ones are the scalars the mutating rules fill).
    static func describe(_ patch: JSONPatch, of original: JSONValue) -> String {
        patch.operations.map { operation in
            switch operation {
            case .remove(let path): "removed \(FieldPath(jsonPointer: path, in: original))"
            case .add(let path, let value), .replace(let path, let value):
                "set \(FieldPath(jsonPointer: path, in: original)): \(JSONWriter.string(value))"
            case .move(_, let path), .copy(_, let path), .test(let path, _):
                "changed \(FieldPath(jsonPointer: path, in: original))"
            }
        }.joined(separator: ", ")
    }
}
