public import KubeJSON

/// A path to a field, printed the way Kubernetes' `field.Path` prints it: `spec.groups[2]`, `extra[team]`.
///
/// Violations carry one so that messages read like the apiserver's, sort in field order, and can be turned
/// into a JSON Pointer (RFC 6901) or a YAML position by the callers that need one.
public struct FieldPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// One step of a path.
    public enum Segment: Sendable, Hashable {
        /// A declared field of an object: `.name`.
        case field(String)
        /// An element of a list: `[2]`.
        case index(Int)
        /// A key of a map whose keys are data, not schema: `[team]`.
        case key(String)
    }

    public private(set) var segments: [Segment]

    public init(_ segments: [Segment] = []) {
        self.segments = segments
    }

    /// A path of declared fields: `FieldPath("spec", "email")`.
    public init(_ fields: String...) {
        segments = fields.map(Segment.field)
    }

    public static let root = FieldPath([])

    public func child(_ name: String) -> FieldPath {
        FieldPath(segments + [.field(name)])
    }

    public func index(_ position: Int) -> FieldPath {
        FieldPath(segments + [.index(position)])
    }

    public func key(_ key: String) -> FieldPath {
        FieldPath(segments + [.key(key)])
    }

    public var isRoot: Bool { segments.isEmpty }

    public var description: String {
        var text = ""
        for segment in segments {
            switch segment {
            case .field(let name):
                if !text.isEmpty { text += "." }
                text += name
            case .index(let position):
                text += "[\(position)]"
            case .key(let key):
                text += "[\(key)]"
            }
        }
        return text
    }

    /// The RFC 6901 JSON Pointer of this path (`~` → `~0`, `/` → `~1`).
    public var jsonPointer: String {
        var pointer = ""
        for segment in segments {
            pointer += "/"
            switch segment {
            case .field(let name), .key(let name): pointer += JSONPointer.escape(name)
            case .index(let position): pointer += String(position)
            }
        }
        return pointer
    }

    /// Field order: segment by segment, names by their text, list positions by number, a parent before its
    /// children.
    public static func < (lhs: FieldPath, rhs: FieldPath) -> Bool {
        for (left, right) in zip(lhs.segments, rhs.segments) where left != right {
            switch (left, right) {
            case (.index(let a), .index(let b)): return a < b
            case (.field(let a), .field(let b)), (.key(let a), .key(let b)),
                (.field(let a), .key(let b)), (.key(let a), .field(let b)):
                return a.utf8.lexicographicallyPrecedes(b.utf8)
            case (.index, _): return true
            case (_, .index): return false
            }
        }
        return lhs.segments.count < rhs.segments.count
    }

    /// The field a JSON Pointer names in `document`: a token is a list position where the value it descends
    /// into is an array, a field name otherwise.
    public init(jsonPointer pointer: String, in document: JSONValue) {
        var segments: [Segment] = []
        var current: JSONValue? = document
        for raw in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let token = JSONPointer.unescape(String(raw))
            if let elements = current?.arrayValue, let position = Int(token) {
                segments.append(.index(position))
                current = elements.indices.contains(position) ? elements[position] : nil
            } else {
                segments.append(.field(token))
                current = current?[token]
            }
        }
        self.init(segments)
    }
}
