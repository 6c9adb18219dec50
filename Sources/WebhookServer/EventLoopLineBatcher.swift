import NIOCore
import NIOPosix

/// Gathers the log lines written on an event loop thread during one turn of its loop and writes them with one
/// `write(2)` when the turn's I/O is done; lines written elsewhere go out at once.
///
/// One admission line per request would be one system call per request, a noticeable share of what a request
/// costs (README, "Performance"). With many connections ready in one turn their lines share a call; an idle
/// server still writes each line in the turn that made it. A batch never exceeds 4,096 bytes (`PIPE_BUF`), so
/// its write into the container runtime's pipe is atomic and never interleaves with another thread's; a longer
/// line is written on its own. No lock: each thread has its own batch. A crash
/// loses at most the lines of the turn in progress.
final class EventLoopLineBatcher: Sendable {
    static let pipeBufferSize = 4_096

    /// One thread's pending lines. Only its own thread touches it, hence unchecked.
    private final class Batch: @unchecked Sendable {
        var bytes: [UInt8] = []
        var flushScheduled = false
    }

    private let output: @Sendable ([UInt8]) -> Void
    private let batches = ThreadSpecificVariable<Batch>()

    /// - Parameter output: writes bytes holding whole lines (standard error, or a test's collector).
    init(output: @escaping @Sendable ([UInt8]) -> Void) {
        self.output = output
    }

    func write(_ line: [UInt8]) {
        appendLine { $0.append(contentsOf: line) }
    }

    /// Has `build` append one whole line to this thread's batch, in place: the hot path's admission line is
    /// written straight into the batch, without an array of its own to allocate and copy.
    func appendLine(_ build: (inout [UInt8]) -> Void) {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else {
            var line: [UInt8] = []
            build(&line)
            output(line)
            return
        }
        let batch = batches.current {
            let batch = Batch()
            batch.bytes.reserveCapacity(Self.pipeBufferSize)
            return batch
        }
        let start = batch.bytes.count
        build(&batch.bytes)
        if batch.bytes.count > Self.pipeBufferSize {
            if start > 0 {
                // The line does not fit behind the earlier ones: they leave first, the line starts the next batch.
                output(Array(batch.bytes[..<start]))
                batch.bytes.removeSubrange(..<start)
            }
            // A line longer than a batch leaves on its own.
            if batch.bytes.count > Self.pipeBufferSize { flush(batch) }
        }
        if !batch.flushScheduled && !batch.bytes.isEmpty {
            batch.flushScheduled = true
            loop.execute { [self] in
                batch.flushScheduled = false
                flush(batch)
            }
        }
    }

    private func flush(_ batch: Batch) {
        guard !batch.bytes.isEmpty else { return }
        output(batch.bytes)
        batch.bytes.removeAll(keepingCapacity: true)
    }
}
