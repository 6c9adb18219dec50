import KubeJSON
import NIOConcurrencyHelpers

/// A value behind a lock, for what tests record from concurrent callbacks (a thin face on NIOLockedValueBox,
/// the one lock style of the codebase).
package final class Locked<Value: Sendable>: Sendable {
    private let box: NIOLockedValueBox<Value>

    package init(_ value: Value) {
        box = NIOLockedValueBox(value)
    }

    package func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        try box.withLockedValue(body)
    }

    package var current: Value { withLock { $0 } }
}
