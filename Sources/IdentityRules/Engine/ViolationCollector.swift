/// Where a rule puts what it finds: every violation for the offline checker and the audit, the first `limit` of
/// each rule for the webhook, whose answer shows at most 100 causes anyway.
///
/// Past the limit a violation is only counted: its path, message and bad value are never built, so an object
/// made to break one rule 200,000 times costs a count, not 200,000 findings to build, sort and drop.
public struct ViolationCollector: Sendable {
    /// Most violations kept; nil keeps all of them.
    public let limit: Int?
    /// The violations kept, in the order the rule found them.
    public private(set) var violations: [Violation] = []
    /// How many more the rule found past ``limit``.
    public private(set) var omitted = 0

    public init(limit: Int? = nil) {
        precondition(limit.map { $0 > 0 } ?? true, "a violation limit must keep at least one violation")
        self.limit = limit
    }

    /// Whether the next violation would only be counted.
    public var isFull: Bool {
        guard let limit else { return false }
        return violations.count >= limit
    }

    /// Keeps `violation` (built only when it is kept), or counts it once the collector is full.
    public mutating func add(_ violation: @autoclosure () -> Violation) {
        if isFull {
            omitted += 1
        } else {
            violations.append(violation())
        }
    }

    /// Keeps or counts each of `more`.
    public mutating func add(contentsOf more: [Violation]) {
        for violation in more { add(violation) }
    }
}
