import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress counter on standard error, only when it is a terminal and the run is long enough to
/// need one.
///
/// Redirected runs (CI logs, pipes, tests) never see it, so the exact output of `check` does not depend on
/// whether a terminal is attached.
final class ProgressLine: Sendable {
    private struct State {
        var lastDraw = Date.distantPast
        var drawn = false
    }

    private let state = NIOLockedValueBox(State())
    private let minimumTotal: Int

    private init(minimumTotal: Int) {
        self.minimumTotal = minimumTotal
    }

    /// A progress line on standard error when it is a terminal, else nil.
    static func onStandardError(minimumTotal: Int = 20) -> ProgressLine? {
        isatty(STDERR_FILENO) == 1 ? ProgressLine(minimumTotal: minimumTotal) : nil
    }

    /// Shows `done` of `total` files read, at most ten times a second.
    func update(_ done: Int, of total: Int) {
        guard total >= minimumTotal else { return }
        state.withLockedValue { state in
            let now = Date()
            guard done == total || now.timeIntervalSince(state.lastDraw) >= 0.1 else { return }
            state.lastDraw = now
            state.drawn = true
            FileHandle.standardError.write(Data("\r\u{1B}[Kidentity-guard: read \(done)/\(total) files".utf8))
        }
    }

    /// Clears the line before the results are printed.
    func finish() {
        state.withLockedValue { state in
            if state.drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            state.drawn = false
        }
    }
}
