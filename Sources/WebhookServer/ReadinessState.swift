import NIOConcurrencyHelpers

/// What `/readyz` reports: ready when every registered condition holds (the certificate is loaded; the cluster
/// cache, when on, has its first list; the email claims, when on, can be written; the process is not shutting
/// down).
///
/// A condition that does not hold may say why, and `/readyz` shows it: an operator should learn from the probe,
/// not from refused users, that the claims namespace is missing.
public final class ReadinessState: Sendable {
    private let conditions = NIOLockedValueBox<[String: (ready: Bool, reason: String?)]>([:])

    public init() {}

    /// Registers or updates a condition, with why it does not hold (shown by `/readyz`).
    public func set(_ condition: String, ready: Bool, reason: String? = nil) {
        conditions.withLockedValue { $0[condition] = (ready, ready ? nil : reason) }
    }

    /// The conditions that do not hold yet, sorted.
    public var unmet: [String] {
        conditions.withLockedValue { $0.filter { !$0.value.ready }.keys.sorted() }
    }

    /// The unmet conditions as `/readyz` lists them: `name` or `name (reason)`, sorted by name.
    public var unmetDescriptions: [String] {
        conditions.withLockedValue { conditions in
            conditions.filter { !$0.value.ready }.sorted { $0.key < $1.key }.map { condition, state in
                state.reason.map { "\(condition) (\($0))" } ?? condition
            }
        }
    }

    public var isReady: Bool { unmet.isEmpty }
}
