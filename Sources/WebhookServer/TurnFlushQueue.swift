import NIOCore
import NIOPosix

/// The connections of one event loop thread that wrote answers in the loop's current turn, ended together by
/// one task once the turn's I/O is done: one task per turn, not one per connection.
///
/// A busy webhook answers about twenty connections per turn; a task of its own for each cost an allocation,
/// a locked enqueue and a dequeue per answer. The queue keeps its array between turns, so queueing allocates
/// nothing. No lock: each thread has its own queue, and only that thread touches it.
final class TurnFlushQueue: @unchecked Sendable {
    private var pending: [(handler: HTTPRequestHandler, context: ChannelHandlerContext)] = []
    /// The previous turn's array, kept for its capacity.
    private var spare: [(handler: HTTPRequestHandler, context: ChannelHandlerContext)] = []
    private var taskScheduled = false

    private static let queues = ThreadSpecificVariable<TurnFlushQueue>()

    /// Has `handler` end its turn (``HTTPRequestHandler/turnEnded(context:)``) once the event loop running
    /// `context` has handled this turn's I/O. Call on that event loop, once per handler and turn.
    static func endOfTurn(_ handler: HTTPRequestHandler, context: ChannelHandlerContext) {
        let queue = queues.current(orMake: TurnFlushQueue.init)
        queue.pending.append((handler, context))
        guard !queue.taskScheduled else { return }
        queue.taskScheduled = true
        // The event loop runs its tasks after the I/O of the turn that queued them.
        context.eventLoop.assumeIsolated().execute { queue.endTurn() }
    }

    private func endTurn() {
        taskScheduled = false
        // A connection's flush may queue another (its next answer): that joins the next task, not this loop.
        var ending = pending
        pending = spare
        spare = []
        for (handler, context) in ending { handler.turnEnded(context: context) }
        ending.removeAll(keepingCapacity: true)
        spare = ending
    }
}
