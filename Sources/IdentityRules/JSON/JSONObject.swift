/// A JSON object that keeps its members in source order, duplicates included.
///
/// Key order makes messages and patches stable; keeping duplicate keys lets `*.schema` report them as
/// `Duplicate value` instead of silently letting the last one win. Lookups return the last member with the
/// key, which is what the apiserver's decoder keeps.
public struct JSONObject: Sendable, Hashable {
    /// One `"key": value` pair.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member]

    public init(_ members: [Member] = []) {
        self.members = members
    }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }
    public var keys: [String] { members.map(\.key) }

    /// The value of the last member named `key`. Setting replaces every member with that key by one member at
    /// the place of the first; setting nil removes them all; a new key is appended.
    public subscript(key: String) -> JSONValue? {
        get {
            var index = members.endIndex
            while index > members.startIndex {
                index -= 1
                if members[index].key == key { return members[index].value }
            }
            return nil
        }
        set {
            guard let first = members.firstIndex(where: { $0.key == key }) else {
                if let newValue { members.append(Member(key: key, value: newValue)) }
                return
            }
            if let newValue {
                members[first].value = newValue
                if members[(first + 1)...].contains(where: { $0.key == key }) {
                    let tail = members[(first + 1)...].filter { $0.key != key }
                    members.replaceSubrange((first + 1)..., with: tail)
                }
            } else {
                members.removeAll { $0.key == key }
            }
        }
    }

    public func contains(key: String) -> Bool {
        members.contains { $0.key == key }
    }

    /// Every member whose key already appeared earlier in the object, in source order.
    public func duplicateMembers() -> [Member] {
        if members.count < 2 { return [] }
        var duplicates: [Member] = []
        if members.count <= 16 {
            for index in 1..<members.count {
                let key = members[index].key
                if members[..<index].contains(where: { $0.key == key }) { duplicates.append(members[index]) }
            }
        } else {
            var seen = Set<String>(minimumCapacity: members.count)
            for member in members where !seen.insert(member.key).inserted {
                duplicates.append(member)
            }
        }
        return duplicates
    }
}
