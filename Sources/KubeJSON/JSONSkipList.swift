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
    /// For each depth and key length, the paths whose key at that depth has that length (lengths over 63 share
    /// the last slot): `pathsByKeyLength[depth * 64 + length]`. A member's key is compared only with the paths'
    /// keys of its own length — usually none — instead of with every path its object lies on.
    private let pathsByKeyLength: [UInt64]
    /// For each depth, the paths that end there: the member they name is skipped.
    private let pathsEndingAt: [UInt64]

    /// The most paths one list holds: one bit each in a 64-bit mask.
    public static let maximumCount = 64

    public init(_ paths: [[String]]) {
        precondition(paths.count <= Self.maximumCount, "at most \(Self.maximumCount) skipped paths")
        self.paths = paths
        var mask: UInt64 = 0
        let depths = paths.map { $0.count }.max() ?? 0
        var byLength = [UInt64](repeating: 0, count: depths * 64)
        var ending = [UInt64](repeating: 0, count: depths)
        for (position, path) in paths.enumerated() where !path.isEmpty {
            let bit: UInt64 = 1 << UInt64(position)
            mask |= bit
            for (depth, key) in path.enumerated() { byLength[Self.slot(depth, key.utf8.count)] |= bit }
            ending[path.count - 1] |= bit
        }
        rootMask = mask
        pathsByKeyLength = byLength
        pathsEndingAt = ending
    }

    public init(arrayLiteral paths: [String]...) {
        self.init(paths)
    }

    /// No paths: everything is built.
    public static let none = JSONSkipList([])

    @inline(__always)
    private static func slot(_ depth: Int, _ length: Int) -> Int {
        depth &* 64 &+ min(length, 63)
    }

    /// Of the `candidates` (paths the object at `depth` lies on), whether one ends at its member `key` — skip
    /// it — and the mask of those that go on below it.
    @inline(__always)
    func member(_ key: String, at depth: Int, of candidates: UInt64) -> (skip: Bool, below: UInt64) {
        guard depth < pathsEndingAt.count else { return (false, 0) }
        let sameLength = candidates & pathsByKeyLength[Self.slot(depth, key.utf8.count)]
        if sameLength == 0 { return (false, 0) }
        var matched: UInt64 = 0
        Self.forEachPosition(in: sameLength) { position in
            if paths[position][depth] == key { matched |= 1 << UInt64(position) }
        }
        return (matched & pathsEndingAt[depth] != 0, matched & ~pathsEndingAt[depth])
    }

    /// Of the `candidates` (paths the array at `depth` lies on), those that go on into its elements (`""`).
    @inline(__always)
    func elements(at depth: Int, of candidates: UInt64) -> UInt64 {
        guard depth < pathsEndingAt.count else { return 0 }
        return candidates & pathsByKeyLength[Self.slot(depth, 0)] & ~pathsEndingAt[depth]
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
