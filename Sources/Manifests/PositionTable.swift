public import IdentityRules
public import KubeJSON

/// Where each field of a document was written, so that a violation's ``FieldPath`` becomes a line and column.
///
/// Built while a YAML node tree is converted into a ``JSONValue``: one entry per value, in pre-order, holding
/// the position of its key (object members) or of the element itself (array elements, the document), and the
/// size of its subtree. One flat array per document is far cheaper than a `FieldPath → position` dictionary,
/// and positions are only looked up for the few fields that have a finding.
public struct PositionTable: Sendable, Hashable {
    /// One value: where it was written and how many entries its subtree spans (itself included).
    struct Entry: Sendable, Hashable {
        var line: Int32
        var column: Int32
        var size: Int32
    }

    var entries: [Entry]
    /// The entry of the value this table describes (an item of a `kind: List` shares its List's entries).
    var root: Int

    init(entries: [Entry], root: Int = 0) {
        self.entries = entries
        self.root = root
    }

    /// Where the document (or List item) starts.
    public var documentPosition: SourcePosition { position(at: root) }

    /// The position of `path` in `value` (the value this table was built with), or nil when the field is absent.
    public func position(of path: FieldPath, in value: JSONValue) -> SourcePosition? {
        var current = value
        var entry = root
        for segment in path.segments {
            let childIndex: Int
            switch segment {
            case .field(let name), .key(let name):
                guard let object = current.objectValue,
                    let index = object.members.lastIndex(where: { $0.key == name })
                else { return nil }
                childIndex = index
                current = object.members[index].value
            case .index(let position):
                guard let array = current.arrayValue, array.indices.contains(position) else { return nil }
                childIndex = position
                current = array[position]
            }
            guard let child = self.child(childIndex, of: entry) else { return nil }
            entry = child
        }
        return position(at: entry)
    }

    /// The table of the `index`-th element of the array at the root (a `kind: List` item).
    func item(_ index: Int, ofMember memberIndex: Int) -> PositionTable? {
        guard let member = child(memberIndex, of: root), let element = child(index, of: member) else { return nil }
        return PositionTable(entries: entries, root: element)
    }

    private func child(_ index: Int, of parent: Int) -> Int? {
        let end = parent + Int(entries[parent].size)
        var child = parent + 1
        var remaining = index
        while child < end {
            if remaining == 0 { return child }
            child += Int(entries[child].size)
            remaining -= 1
        }
        return nil
    }

    private func position(at index: Int) -> SourcePosition {
        SourcePosition(line: Int(entries[index].line), column: Int(entries[index].column))
    }
}
