/// Key paths of object members that ``JSONReader`` checks to be well-formed but does not build, prepared once.
///
/// The admission path skips `managedFields`, `userInfo` and the like in every request; working out from a list of
/// paths how deep they go and which key lengths they have cost two allocations and a scan per request, so a
/// caller makes its list once (a `static let`) and the reader only follows bits: while it reads, each open
/// container carries a mask of the paths it still lies on, so no key path is kept and an object off every path
/// costs nothing.
///
/// A path is a list of keys from the document's root; `""` stands for any element of an array
/// (`["items", "", "metadata", "managedFields"]`). Up to 64 paths.
public struct JSONSkipList: Sendable, Hashable, ExpressibleByArrayLiteral {
    /// The paths, as given.
    public let paths: [[String]]
    /// Bit `i` for each non-empty path `i`: the paths the document's root lies on.
    let rootMask: UInt64
    /// For each depth, a bit for each key length (up to 63) that some path has there: a quick "no".
    private let lengthsByDepth: [UInt64]

    /// The most paths one list holds: one bit each in a 64-bit mask.
    public static let maximumCount = 64

    public init(_ paths: [[String]]) {
        precondition(paths.count <= Self.maximumCount, "at most \(Self.maximumCount) skipped paths")
        self.paths = paths
        var mask: UInt64 = 0
        var lengths = [UInt64](repeating: 0, count: paths.map { $0.count }.max() ?? 0)
        for (position, path) in paths.enumerated() where !path.isEmpty {
            mask |= 1 << UInt64(position)
            for (depth, key) in path.enumerated() { lengths[depth] |= Self.lengthBit(key.utf8.count) }
        }
        rootMask = mask
        lengthsByDepth = lengths
    }

    public init(arrayLiteral paths: [String]...) {
        self.init(paths)
    }

    /// No paths: everything is built.
    public static let none = JSONSkipList([])

    @inline(__always)
    private static func lengthBit(_ length: Int) -> UInt64 {
        1 << UInt64(min(length, 63))
    }

    /// Of the `candidates` (paths the object at `depth` lies on), whether one ends at its member `key` — skip
    /// it — and the mask of those that go on below it.
    @inline(__always)
    func member(_ key: String, at depth: Int, of candidates: UInt64) -> (skip: Bool, below: UInt64) {
        let length = key.utf8.count
        guard depth < lengthsByDepth.count, lengthsByDepth[depth] & Self.lengthBit(length) != 0 else {
            return (false, 0)
        }
        var skip = false
        var below: UInt64 = 0
        Self.forEachPosition(in: candidates) { position in
            let path = paths[position]
            let step = path[depth]
            guard step.utf8.count == length, step == key else { return }
            if path.count == depth + 1 { skip = true } else { below |= 1 << UInt64(position) }
        }
        return (skip, below)
    }

    /// Of the `candidates` (paths the array at `depth` lies on), those that go on into its elements.
    @inline(__always)
    func elements(at depth: Int, of candidates: UInt64) -> UInt64 {
        var below: UInt64 = 0
        Self.forEachPosition(in: candidates) { position in
            let path = paths[position]
            if path.count > depth + 1, path[depth].isEmpty { below |= 1 << UInt64(position) }
        }
        return below
    }

    /// Calls `body` with the position of each bit set in `mask`, lowest first.
    @inline(__always)
    private static func forEachPosition(in mask: UInt64, _ body: (Int) -> Void) {
        var remaining = mask
        while remaining != 0 {
            body(remaining.trailingZeroBitCount)
            remaining &= remaining - 1
        }
    }
}
