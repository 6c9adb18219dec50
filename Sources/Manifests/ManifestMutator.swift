public import IdentityRules

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
        for document in file.documents {
            guard let kind = document.resourceKind, let object = document.value.objectValue else { continue }
            let result = engine.mutate(RuleSubject(kind: kind, operation: .create, object: object))
            guard result.changed else { continue }
            let summary = Self.describe(from: .object(result.original), to: .object(result.mutated))
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
        return MutatedFile(file: file, values: values, changes: changes, changedDocuments: changed)
    }

    /// The fields that differ, `set spec.is_disabled: true, removed spec.password`; secret values are never
    /// shown (removed fields are named only, set ones are the scalars the mutating rules fill).
    static func describe(from original: JSONValue, to mutated: JSONValue, at path: FieldPath = .root) -> String {
        var parts: [String] = []
        collect(original, mutated, at: path, into: &parts)
        return parts.joined(separator: ", ")
    }

    private static func collect(_ original: JSONValue, _ mutated: JSONValue, at path: FieldPath,
                                into parts: inout [String])
    {
        guard original != mutated else { return }
        guard let old = original.objectValue, let new = mutated.objectValue else {
            parts.append("set \(path): \(JSONWriter.string(mutated))")
            return
        }
        var seen: Set<String> = []
        for key in old.keys where seen.insert(key).inserted && !new.contains(key: key) {
            parts.append("removed \(path.child(key))")
        }
        seen = []
        for key in new.keys where seen.insert(key).inserted {
            let value = new[key] ?? .null
            if let previous = old[key] {
                collect(previous, value, at: path.child(key), into: &parts)
            } else {
                parts.append("set \(path.child(key)): \(JSONWriter.string(value))")
            }
        }
    }
}
