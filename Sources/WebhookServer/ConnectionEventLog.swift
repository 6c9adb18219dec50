import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// What happens to connections that go wrong — TLS or protocol errors, read timeouts, refusals over the
/// connection cap — counted in full and logged at most ``linesPerSecond`` lines a second.
///
/// Anything that reaches the port can open connections that fail; formatting and logging each one would let a
/// flood of failed handshakes take a good part of a core and bury the log (README, "Performance"). The counts are in
/// `identity_guard_connections_closed_total{reason}`; a line that follows dropped ones says how many in
/// `suppressed`.
final class ConnectionEventLog: Sendable {
    static let linesPerSecond = 10

    /// Why a connection was closed, as labelled in the metric.
    enum Reason: String, CaseIterable {
        case tlsError = "tls_error"
        case connectionError = "connection_error"
        case readTimeout = "read_timeout"
    }

    private let logger: Logger
    private let closed: [Reason: Counter]
    /// The current second, the lines logged in it, and the lines dropped since the last logged one.
    private let window = NIOLockedValueBox<(second: UInt64, lines: Int, suppressed: Int)>((0, 0, 0))
    /// The monotonic clock's second now (tests step it by hand).
    private let currentSecond: @Sendable () -> UInt64

    init(logger: Logger, factory: any MetricsFactory,
         currentSecond: @escaping @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds / 1_000_000_000 })
    {
        self.logger = logger
        self.currentSecond = currentSecond
        closed = Dictionary(uniqueKeysWithValues: Reason.allCases.map { reason in
            (reason, Counter(label: "identity_guard_connections_closed_total",
                             dimensions: [("reason", reason.rawValue)], factory: factory))
        })
    }

    /// Counts a connection closed for `reason`.
    func count(_ reason: Reason) {
        closed[reason]?.increment()
    }

    /// Logs a line unless this second's lines are used up; `metadata` is only built for a line that is written.
    func log(_ level: Logger.Level, _ message: Logger.Message, metadata: () -> Logger.Metadata) {
        guard logger.logLevel <= level else { return }
        let second = currentSecond()
        let suppressed: Int? = window.withLockedValue { window in
            // Only forward: a thread that read the clock just before the second turned, then waited for the lock
            // behind one that read it after, must count against the new second, not open the old one again with
            // a fresh allowance (two event loops alternating so logged more than the limit, seen under load in CI).
            if second > window.second {
                window.second = second
                window.lines = 0
            }
            guard window.lines < Self.linesPerSecond else {
                window.suppressed += 1
                return nil
            }
            window.lines += 1
            defer { window.suppressed = 0 }
            return window.suppressed
        }
        guard let suppressed else { return }
        var lineMetadata = metadata()
        if suppressed > 0 { lineMetadata["suppressed"] = "\(suppressed)" }
        logger.log(level: level, message, metadata: lineMetadata)
    }
}
