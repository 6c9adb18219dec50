import IdentityRules
import Yams
import KubeJSON

/// Converts a composed YAML document into a ``JSONValue`` and its ``PositionTable`` in one walk.
struct PositionedYAMLConverter {
    private var entries: [PositionTable.Entry] = []
    private let markers: KeyMarkers

    init(markers: KeyMarkers) {
        self.markers = markers
    }

    /// The document's value and where each of its fields was written.
    static func convert(_ node: Node, markers: KeyMarkers) -> (value: JSONValue, positions: PositionTable) {
        var converter = PositionedYAMLConverter(markers: markers)
        converter.entries.reserveCapacity(64)
        let value = converter.convert(node, at: node.mark)
        return (value, PositionTable(entries: converter.entries))
    }

    private mutating func convert(_ node: Node, at mark: Mark?) -> JSONValue {
        let index = entries.count
        var position = SourcePosition(line: mark?.line ?? 1, column: mark?.column ?? 1)
        if !markers.isEmpty { position = markers.adjust(position) }
        entries.append(PositionTable.Entry(line: Int32(position.line), column: Int32(position.column), size: 1))
        let value: JSONValue
        switch node {
        case .scalar(let scalar):
            value = YAMLValueConverter.value(of: scalar)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence { elements.append(convert(element, at: element.mark)) }
            value = .array(elements)
        case .mapping(let mapping):
            var members: [JSONObject.Member] = []
            members.reserveCapacity(mapping.count)
            for (key, child) in mapping {
                var text = YAMLValueConverter.keyText(key)
                if !markers.isEmpty { text = markers.unmarked(text) }
                members.append(JSONObject.Member(key: text, value: convert(child, at: key.mark)))
            }
            value = .object(JSONObject(members))
        case .alias:
            value = .null
        }
        entries[index].size = Int32(entries.count - index)
        return value
    }
}
