/// An RFC 6902 JSON Patch, computed as a diff of an original and a mutated object.
///
/// As in controller-runtime's `PatchResponseFromRaw`, rule authors never write patch paths: the mutating rules
/// change the object, and ``diff(from:to:)`` produces the operations that turn the original into it, touching
/// only what changed. ``apply(to:)`` is the other direction, used by tests and `identity-guard mutate`.
public struct JSONPatch: Sendable, Hashable {
    /// One operation of a patch.
    public enum Operation: Sendable, Hashable {
        case add(path: String, value: JSONValue)
        case remove(path: String)
        case replace(path: String, value: JSONValue)
        case move(from: String, path: String)
        case copy(from: String, path: String)
        case test(path: String, value: JSONValue)
    }

    public var operations: [Operation]

    public init(_ operations: [Operation] = []) {
        self.operations = operations
    }

    public var isEmpty: Bool { operations.isEmpty }

    // MARK: - Diff

    /// The operations that turn `original` into `target`: removes and adds for object members, a replace for
    /// any other changed value (arrays are replaced whole).
    public static func diff(from original: JSONValue, to target: JSONValue) -> JSONPatch {
        var operations: [Operation] = []
        diff(original, target, at: "", into: &operations)
        return JSONPatch(operations)
    }

    private static func diff(_ original: JSONValue, _ target: JSONValue, at path: String,
                             into operations: inout [Operation]) {
        guard original != target else { return }
        guard case .object(let old) = original, case .object(let new) = target else {
            operations.append(.replace(path: path, value: target))
            return
        }
        let oldMembers = old.members
        for (index, member) in oldMembers.enumerated() where !new.contains(key: member.key) {
            guard !oldMembers[..<index].contains(where: { $0.key == member.key }) else { continue }
            operations.append(.remove(path: path + "/" + JSONPointer.escape(member.key)))
        }
        let newMembers = new.members
        for (index, member) in newMembers.enumerated() {
            guard !new.containsDuplicateKeys || !newMembers[..<index].contains(where: { $0.key == member.key })
            else { continue }
            let childPath = path + "/" + JSONPointer.escape(member.key)
            let value = new[member.key] ?? .null
            if let oldValue = old[member.key] {
                diff(oldValue, value, at: childPath, into: &operations)
            } else {
                operations.append(.add(path: childPath, value: value))
            }
        }
    }

    // MARK: - JSON

    /// The patch as the JSON array the apiserver reads.
    public var jsonValue: JSONValue {
        .array(operations.map { operation in
            var members: [JSONObject.Member] = []
            func member(_ key: String, _ value: JSONValue) { members.append(.init(key: key, value: value)) }
            switch operation {
            case .add(let path, let value): member("op", "add"); member("path", .string(path)); member("value", value)
            case .remove(let path): member("op", "remove"); member("path", .string(path))
            case .replace(let path, let value):
                member("op", "replace"); member("path", .string(path)); member("value", value)
            case .move(let from, let path):
                member("op", "move"); member("from", .string(from)); member("path", .string(path))
            case .copy(let from, let path):
                member("op", "copy"); member("from", .string(from)); member("path", .string(path))
            case .test(let path, let value): member("op", "test"); member("path", .string(path)); member("value", value)
            }
            return .object(JSONObject(members))
        })
    }

    public var serialized: [UInt8] { JSONWriter.serialize(jsonValue) }

    /// Reads a patch document (an array of operation objects).
    public init(parsing document: JSONValue) throws(JSONPatchError) {
        guard let elements = document.arrayValue else { throw JSONPatchError("a JSON Patch must be an array") }
        var operations: [Operation] = []
        for (index, element) in elements.enumerated() {
            guard let object = element.objectValue, let op = object["op"]?.stringValue,
                let path = object["path"]?.stringValue
            else { throw JSONPatchError("operation \(index) needs string \"op\" and \"path\"") }
            func value() throws(JSONPatchError) -> JSONValue {
                guard let value = object["value"] else { throw JSONPatchError("operation \(index) needs \"value\"") }
                return value
            }
            func from() throws(JSONPatchError) -> String {
                guard let from = object["from"]?.stringValue else {
                    throw JSONPatchError("operation \(index) needs string \"from\"")
                }
                return from
            }
            switch op {
            case "add": operations.append(.add(path: path, value: try value()))
            case "remove": operations.append(.remove(path: path))
            case "replace": operations.append(.replace(path: path, value: try value()))
            case "move": operations.append(.move(from: try from(), path: path))
            case "copy": operations.append(.copy(from: try from(), path: path))
            case "test": operations.append(.test(path: path, value: try value()))
            default: throw JSONPatchError("operation \(index) has unknown op \(GoQuote.quote(op))")
            }
        }
        self.init(operations)
    }

    // MARK: - Apply

    /// `document` with every operation applied in order; the first failing operation throws and nothing is
    /// half-applied (the input is a value).
    public func apply(to document: JSONValue) throws(JSONPatchError) -> JSONValue {
        var result = document
        for operation in operations {
            switch operation {
            case .add(let path, let value):
                try Self.add(value, at: Self.tokens(path), in: &result)
            case .remove(let path):
                _ = try Self.remove(at: Self.tokens(path), in: &result)
            case .replace(let path, let value):
                try Self.replace(at: Self.tokens(path), with: value, in: &result)
            case .move(let from, let path):
                let value = try Self.remove(at: Self.tokens(from), in: &result)
                try Self.add(value, at: Self.tokens(path), in: &result)
            case .copy(let from, let path):
                let value = try Self.value(at: Self.tokens(from), in: result)
                try Self.add(value, at: Self.tokens(path), in: &result)
            case .test(let path, let expected):
                guard try Self.value(at: Self.tokens(path), in: result) == expected else {
                    throw JSONPatchError("test failed at \(GoQuote.quote(path))")
                }
            }
        }
        return result
    }

    static func tokens(_ pointer: String) throws(JSONPatchError) -> [String] {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { throw JSONPatchError("path \(GoQuote.quote(pointer)) must start with /") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            .map { JSONPointer.unescape(String($0)) }
    }

    private static func value(at tokens: [String], in document: JSONValue) throws(JSONPatchError) -> JSONValue {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { throw JSONPatchError("no member \(GoQuote.quote(token))") }
                current = next
            case .array(let elements):
                guard let index = Int(token), elements.indices.contains(index) else {
                    throw JSONPatchError("no element \(GoQuote.quote(token))")
                }
                current = elements[index]
            default:
                throw JSONPatchError("cannot descend into a \(current.typeName) at \(GoQuote.quote(token))")
            }
        }
        return current
    }

    private static func add(_ value: JSONValue, at tokens: [String], in document: inout JSONValue)
        throws(JSONPatchError)
    {
        guard let last = tokens.last else {
            document = value
            return
        }
        try modifyParent(of: tokens, in: &document) { parent throws(JSONPatchError) in
            switch parent {
            case .object(var object):
                object[last] = value
                parent = .object(object)
            case .array(var elements):
                if last == "-" {
                    elements.append(value)
                } else {
                    guard let index = Int(last), (0...elements.count).contains(index) else {
                        throw JSONPatchError("array index \(GoQuote.quote(last)) out of range")
                    }
                    elements.insert(value, at: index)
                }
                parent = .array(elements)
            default:
                throw JSONPatchError("cannot add to a \(parent.typeName)")
            }
        }
    }

    /// Replaces a value where it stands, keeping an object member's position.
    private static func replace(at tokens: [String], with value: JSONValue, in document: inout JSONValue)
        throws(JSONPatchError)
    {
        guard let last = tokens.last else {
            document = value
            return
        }
        try modifyParent(of: tokens, in: &document) { parent throws(JSONPatchError) in
            switch parent {
            case .object(var object):
                guard object[last] != nil else { throw JSONPatchError("no member \(GoQuote.quote(last)) to replace") }
                object[last] = value
                parent = .object(object)
            case .array(var elements):
                guard let index = Int(last), elements.indices.contains(index) else {
                    throw JSONPatchError("array index \(GoQuote.quote(last)) out of range")
                }
                elements[index] = value
                parent = .array(elements)
            default:
                throw JSONPatchError("cannot replace in a \(parent.typeName)")
            }
        }
    }

    private static func remove(at tokens: [String], in document: inout JSONValue) throws(JSONPatchError) -> JSONValue {
        guard let last = tokens.last else { throw JSONPatchError("cannot remove the whole document") }
        var removed = JSONValue.null
        try modifyParent(of: tokens, in: &document) { parent throws(JSONPatchError) in
            switch parent {
            case .object(var object):
                guard let value = object[last] else {
                    throw JSONPatchError("no member \(GoQuote.quote(last)) to remove")
                }
                removed = value
                object[last] = nil
                parent = .object(object)
            case .array(var elements):
                guard let index = Int(last), elements.indices.contains(index) else {
                    throw JSONPatchError("array index \(GoQuote.quote(last)) out of range")
                }
                removed = elements.remove(at: index)
                parent = .array(elements)
            default:
                throw JSONPatchError("cannot remove from a \(parent.typeName)")
            }
        }
        return removed
    }

    private static func modifyParent(
        of tokens: [String],
        in document: inout JSONValue,
        _ body: (inout JSONValue) throws(JSONPatchError) -> Void
    ) throws(JSONPatchError) {
        if tokens.count == 1 {
            try body(&document)
            return
        }
        let head = tokens[0]
        let rest = Array(tokens.dropFirst())
        switch document {
        case .object(var object):
            guard var child = object[head] else { throw JSONPatchError("no member \(GoQuote.quote(head))") }
            try modifyParent(of: rest, in: &child, body)
            object[head] = child
            document = .object(object)
        case .array(var elements):
            guard let index = Int(head), elements.indices.contains(index) else {
                throw JSONPatchError("no element \(GoQuote.quote(head))")
            }
            try modifyParent(of: rest, in: &elements[index], body)
            document = .array(elements)
        default:
            throw JSONPatchError("cannot descend into a \(document.typeName) at \(GoQuote.quote(head))")
        }
    }
}
