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

    public private(set) var members: [Member] {
        didSet { containsDuplicateKeys = Self.containsDuplicateKeys(members) }
    }

    /// Whether this object, or any object nested in it, has a key written more than once. Computed as the
    /// object is built, so that the duplicate-key check costs nothing for the (usual) documents without any.
    public private(set) var containsDuplicateKeys: Bool

    public init(_ members: [Member] = []) {
        self.members = members
        containsDuplicateKeys = Self.containsDuplicateKeys(members)
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
                if Self.sameKey(members[index].key, key) { return members[index].value }
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
        members.contains { Self.sameKey($0.key, key) }
    }

    /// Key equality with the O(1) length check first: most keys that differ differ in length, and Swift's
    /// full comparison is the expensive part of lookups in small objects.
    @inline(__always)
    static func sameKey(_ left: String, _ right: String) -> Bool {
        left.utf8.count == right.utf8.count && left == right
    }

    private static func containsDuplicateKeys(_ members: [Member]) -> Bool {
        members.withUnsafeBufferPointer { members in
            for member in members where member.value.containsDuplicateKeys { return true }
            return hasOwnDuplicateKeys(members)
        }
    }

    private static func hasOwnDuplicateKeys(_ members: UnsafeBufferPointer<Member>) -> Bool {
        let count = members.count
        if count < 2 { return false }
        if count <= 16 {
            // Every object the reader builds is checked: each key's length is taken once, and keys are compared
            // only when their lengths match, not every pair in full.
            return withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { lengths in
                for index in 0..<count { lengths[index] = members[index].key.utf8.count }
                for index in 1..<count {
                    let length = lengths[index]
                    for earlier in 0..<index where lengths[earlier] == length
                        && members[earlier].key == members[index].key
                    {
                        return true
                    }
                }
                return false
            }
        }
        var seen = Set<String>(minimumCapacity: count)
        for member in members where !seen.insert(member.key).inserted { return true }
        return false
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
