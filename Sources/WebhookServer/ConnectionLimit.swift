import SystemSupport
import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A cap on the connections a port holds at once, so that clients that open connections and leave them idle
/// cannot exhaust the process's file descriptors before the read and idle timeouts close them.
///
/// One per listener; each connection takes a slot when its pipeline is set up (at accept, before the TLS
/// handshake completes) and gives it back when it closes (``hold(_:)``). A connection over the cap is closed at once and
/// counted in `identity_guard_connections_refused_total`; `identity_guard_open_connections` is the current count
/// (the webhook port's: the metrics port's limit is given a factory that exports nothing).
final class ConnectionLimit: Sendable {
    let maximum: Int
    /// Open connections, and the most open since memory was last handed back.
    private let open = NIOLockedValueBox((count: 0, peak: 0))

    /// After this many connections at once, memory is handed back to the system once three quarters have closed
    /// (``ProcessMemory``): a flood of connections must not leave the process at its peak size.
    static let trimAfterPeak = 256
    private let gauge: Gauge
    private let refused: Counter
    private let log: ConnectionEventLog

    init(maximum: Int, factory: any MetricsFactory, log: ConnectionEventLog) {
        self.maximum = maximum
        self.log = log
        gauge = Gauge(label: "identity_guard_open_connections", factory: factory)
        refused = Counter(label: "identity_guard_connections_refused_total", factory: factory)
    }

    /// Takes a slot; false (and counted) when all are taken.
    func acquire() -> Bool {
        let count: Int? = open.withLockedValue { open in
            guard open.count < maximum else { return nil }
            open.count += 1
            open.peak = max(open.peak, open.count)
            return open.count
        }
        guard let count else {
            refused.increment()
            return false
        }
        gauge.record(count)
        return true
    }

    func release() {
        let (count, trim) = open.withLockedValue { open in
            open.count -= 1
            let trim = open.peak >= Self.trimAfterPeak && open.count <= open.peak / 4
            if trim { open.peak = open.count }
            return (open.count, trim)
        }
        gauge.record(count)
        if trim { Task.detached(priority: .background) { ProcessMemory.returnFreed() } }
    }

    /// Takes a slot for `channel` until it closes, or closes it at once (logged) when all are taken.
    ///
    /// The slot is given back when the channel's close completes rather than by a handler watching for it: a
    /// handler at the head of the pipeline saw every read of every connection on the way.
    /// - Returns: whether the channel holds a slot (when false, it is closing).
    @discardableResult
    func hold(_ channel: any Channel) -> Bool {
        guard acquire() else {
            refusing(channel)
            channel.close(promise: nil)
            return false
        }
        channel.closeFuture.whenComplete { [self] _ in release() }
        return true
    }

    private func refusing(_ channel: any Channel) {
        let maximum = maximum
        log.log(.warning, "refusing connection: the connection limit is reached") {
            ["remote": "\(channel.remoteAddress?.description ?? "?")", "limit": "\(maximum)"]
        }
    }
}
