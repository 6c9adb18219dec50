import NIOConcurrencyHelpers

/// What `/readyz` reports: ready when every registered condition holds (the certificate is loaded; the cluster
/// cache, when on, has its first list).
public final class ReadinessState: Sendable {
    private let conditions = NIOLockedValueBox<[String: Bool]>([:])

    public init() {}

    /// Registers or updates a condition.
    public func set(_ condition: String, ready: Bool) {
        conditions.withLockedValue { $0[condition] = ready }
    }

    /// The conditions that do not hold yet, sorted.
    public var unmet: [String] {
        conditions.withLockedValue { $0.filter { !$0.value }.keys.sorted() }
    }

    public var isReady: Bool { unmet.isEmpty }
}
