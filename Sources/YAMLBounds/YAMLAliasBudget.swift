internal import CYaml

/// Refuses a YAML text whose aliases would expand too far, before anything composes it.
///
/// Yams expands every alias into the value it names while it composes and converts (and hashes alias keys
/// whole for its duplicate-key check), so nine levels of nine aliases ("billion laughs", 1 KB) would become
/// 387 million nodes. This pass reads libyaml's event stream once, counts each document's written nodes (`M`)
/// and the nodes its expansion would hold (`N`, each alias counting the size of its anchor), without expanding
/// anything, and refuses a document the way Go's yaml.v3 does (kubectl, kubeconform): a small expansion may
/// come almost all from aliases, a large one may not, and nothing past an absolute cap.
public struct YAMLAliasBudget: Sendable, Hashable {
    /// Expansions up to this many nodes are always allowed (yaml.v3 lets documents under 1,000 decoded nodes
    /// alias freely).
    public var freeNodes: Int
    /// No document may expand to more nodes than this, however large it is written.
    public var maximumNodes: Int

    /// The budget every YAML reader of identity-guard uses.
    public static let standard = YAMLAliasBudget(freeNodes: 1_000, maximumNodes: 1_000_000)

    public init(freeNodes: Int, maximumNodes: Int) {
        self.freeNodes = freeNodes
        self.maximumNodes = maximumNodes
    }

    /// Whether a document written with `written` nodes may expand to `expanded`: up to 400,000 nodes 99 % may
    /// come from aliases, from 4,000,000 only 10 %, linearly in between (yaml.v3's `allowedAliasRatio`).
    public func allows(expanded: Int, written: Int) -> Bool {
        if expanded <= max(freeNodes, written) { return true }
        if expanded > maximumNodes { return false }
        let aliased = Double(expanded - written) / Double(expanded)
        return aliased <= Self.allowedAliasRatio(expanded)
    }

    static func allowedAliasRatio(_ nodes: Int) -> Double {
        let low = 400_000.0
        let high = 4_000_000.0
        let count = Double(nodes)
        if count <= low { return 0.99 }
        if count >= high { return 0.10 }
        return 0.99 - 0.89 * (count - low) / (high - low)
    }

    /// The first document of `text` that this budget refuses, or nil. Text that libyaml cannot parse is left to
    /// the composer to report (nil). Linear in the text: one event stream, one table of anchor sizes.
    public func check(_ text: String) -> YAMLAliasError? {
        // An alias is written `*name`: a text without `*` has none, and skips the pass.
        guard text.utf8.contains(UInt8(ascii: "*")) else { return nil }
        var text = text
        return text.withUTF8 { bytes in check(bytes) }
    }

    private func check(_ bytes: UnsafeBufferPointer<UInt8>) -> YAMLAliasError? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
        var counter = ExpansionCounter()
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_DOCUMENT_START_EVENT:
                counter = ExpansionCounter()
            case YAML_DOCUMENT_END_EVENT:
                if !allows(expanded: counter.expanded, written: counter.written) {
                    return YAMLAliasError(line: counter.largestAlias.line, column: counter.largestAlias.column,
                                          expandedNodes: counter.expanded, writtenNodes: counter.written)
                }
            case YAML_SCALAR_EVENT:
                counter.node(anchor: Self.name(event.data.scalar.anchor))
            case YAML_SEQUENCE_START_EVENT:
                counter.open(anchor: Self.name(event.data.sequence_start.anchor))
            case YAML_MAPPING_START_EVENT:
                counter.open(anchor: Self.name(event.data.mapping_start.anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                counter.close()
            case YAML_ALIAS_EVENT:
                counter.alias(Self.name(event.data.alias.anchor) ?? "",
                              line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            default:
                break
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}

/// Counts one document's written nodes and the size of its expansion, collection by collection.
private struct ExpansionCounter {
    /// Nodes as written (an alias is one).
    var written = 0
    /// Nodes after expanding every alias; saturates at `Int.max`.
    var expanded = 0
    /// Where the alias with the largest expansion is written (the place a refusal points at).
    var largestAlias = (line: 1, column: 1, size: 0)
    private var anchorSizes: [String: Int] = [:]
    /// Open collections: their anchor and the expanded size so far (themselves included).
    private var openCollections: [(anchor: String?, size: Int)] = []

    mutating func node(anchor: String?) {
        written += 1
        if let anchor { anchorSizes[anchor] = 1 }
        add(1)
    }

    mutating func open(anchor: String?) {
        written += 1
        openCollections.append((anchor, 1))
    }

    mutating func close() {
        guard let collection = openCollections.popLast() else { return }
        if let anchor = collection.anchor { anchorSizes[anchor] = collection.size }
        add(collection.size)
    }

    /// An alias stands for its anchor's whole expansion; an undefined one is one node (the composer refuses it).
    mutating func alias(_ anchor: String, line: Int, column: Int) {
        written += 1
        let size = anchorSizes[anchor] ?? 1
        if size > largestAlias.size { largestAlias = (line, column, size) }
        add(size)
    }

    private mutating func add(_ size: Int) {
        if let last = openCollections.indices.last {
            openCollections[last].size = Self.sum(openCollections[last].size, size)
        } else {
            expanded = Self.sum(expanded, size)
        }
    }

    private static func sum(_ left: Int, _ right: Int) -> Int {
        let (result, overflow) = left.addingReportingOverflow(right)
        return overflow ? Int.max : result
    }
}
