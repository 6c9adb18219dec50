import IdentityGuardTesting
import KubeJSON
import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import Testing
@testable import WebhookServer

/// ``ConnectionEventLog``'s limit of ten lines a second, with the clock stepped by hand: the second only moves
/// forward, so a caller that read the clock late cannot open an old second again with a fresh allowance.
@Suite("Connection event log")
struct ConnectionEventLogTests {
    @Test("ten lines a second; a late reader of the old second counts against the new one; dropped lines are told")
    func limitPerSecond() {
        let capture = LogCapture()
        let second = NIOLockedValueBox<UInt64>(5)
        let log = ConnectionEventLog(logger: capture.logger, factory: TestMetrics()) { second.withLockedValue { $0 } }
        func failures(_ count: Int) {
            for _ in 0..<count { log.log(.info, "closing connection after tls error") { [:] } }
        }
        failures(25)  // second 5: ten lines, fifteen dropped
        second.withLockedValue { $0 = 6 }
        failures(10)  // second 6: ten lines, the first telling the fifteen
        // A thread that read second 5 before the turn and got the lock after: before the fix it opened second 5
        // again, with ten more lines; now it counts against second 6, whose lines are used up.
        second.withLockedValue { $0 = 5 }
        failures(10)
        second.withLockedValue { $0 = 6 }
        failures(3)
        second.withLockedValue { $0 = 7 }
        failures(1)
        let lines = capture.events("closing connection after tls error")
        #expect(lines.count == 21)
        #expect(lines.map { $0["suppressed"]?.stringValue } == Array(repeating: nil, count: 10) + ["15"]
            + Array(repeating: nil, count: 9) + ["13"])
    }
}
