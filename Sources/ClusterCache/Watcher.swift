public import CoreMetrics
public import IdentityRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeJSON
public import Logging

/// One kind of the cluster as a stream of ``WatcherEvent``s, through the Kubernetes list/watch protocol.
///
/// client-go's reflector and kube-rs' `watcher` in small: a paged list (``ListPager``), then a watch from the
/// list's resourceVersion with bookmarks advancing it; a watch that ends is reopened from the last
/// resourceVersion; `410 Gone` — as a status or as an `ERROR` event — means the version is too old and the
/// watcher lists again. Failures back off exponentially with full jitter; a kind that is not served (404: its
/// CRD is not installed) is logged and retried, never a crash. The sequence ends when its task is cancelled.
/// It pulls: the next page or event is read only when the consumer asks, so nothing piles up in between.
public struct Watcher: AsyncSequence, Sendable {
    public typealias Element = WatcherEvent

    public let client: KubernetesClient
    public let kind: ResourceKind
    public let timing: WatcherTiming
    let logger: Logger
    /// Counts watches reopened after they ended or broke.
    let watchRestarts: CoreMetrics.Counter?
    /// Set to the time (seconds since 1970) whenever the apiserver shows the watch alive: a list completed, a
    /// watch opened, an event or a bookmark received. The last list's time alone ages on a healthy watch.
    let lastEvent: CoreMetrics.Gauge?

    public init(client: KubernetesClient, kind: ResourceKind, timing: WatcherTiming = WatcherTiming(),
                logger: Logger, watchRestarts: CoreMetrics.Counter? = nil, lastEvent: CoreMetrics.Gauge? = nil)
    {
        self.client = client
        self.kind = kind
        self.timing = timing
        self.logger = logger
        self.watchRestarts = watchRestarts
        self.lastEvent = lastEvent
    }

    /// Records that the apiserver was heard from just now.
    fileprivate func heardFrom() {
        lastEvent?.record(Date().timeIntervalSince1970)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(watcher: self)
    }

    /// The state machine behind the sequence.
    public struct Iterator: AsyncIteratorProtocol {
        private enum State {
            /// A list is to start.
            case start
            /// Listing: the page being handed out and the position in it.
            case listing(ListPager, page: [JSONObject], next: Int)
            /// A watch is to be opened from this resourceVersion.
            case watch(from: String)
            /// Watching.
            case watching(AsyncThrowingStream<WatchEvent, any Error>.Iterator, resourceVersion: String,
                          opened: ContinuousClock.Instant, received: Int)
        }

        private let watcher: Watcher
        private var state = State.start
        private var failures = 0

        init(watcher: Watcher) {
            self.watcher = watcher
        }

        public mutating func next() async -> WatcherEvent? {
            while !Task.isCancelled {
                do {
                    if let event = try await step() { return event }
                } catch let error as KubernetesError where error.code == .gone {
                    watcher.logger.info("resourceVersion too old; listing again",
                                        metadata: ["resource": "\(watcher.kind.qualifiedResource)"])
                    state = .start
                } catch is CancellationError {
                    return nil
                } catch {
                    failures += 1
                    let level: Logger.Level = failures == 1 ? .warning : .info
                    let delay = watcher.timing.backoff(after: failures)
                    watcher.logger.log(level: level, "cluster cache list/watch failed; retrying", metadata: [
                        "resource": "\(watcher.kind.qualifiedResource)", "error": "\(error)",
                        "attempt": "\(failures)", "retry_in_ms": "\(delay / .milliseconds(1))",
                    ])
                    state = .start
                    try? await Task.sleep(for: delay)
                }
            }
            return nil
        }

        /// Advances the state machine by one step; returns the event it produced, if any.
        private mutating func step() async throws -> WatcherEvent? {
            switch state {
            case .start:
                state = .listing(ListPager(client: watcher.client, kind: watcher.kind,
                                           pageSize: watcher.timing.pageSize), page: [], next: 0)
                return .initStarted
            case .listing(var pager, let page, let next):
                if next < page.count {
                    state = .listing(pager, page: page, next: next + 1)
                    return .initApply(page[next])
                }
                guard let fresh = try await pager.next(logger: watcher.logger) else {
                    watcher.logger.info("cluster cache listed", metadata: [
                        "resource": "\(watcher.kind.qualifiedResource)",
                        "resourceVersion": "\(pager.resourceVersion)",
                    ])
                    failures = 0
                    watcher.heardFrom()
                    state = .watch(from: pager.resourceVersion)
                    return .initDone
                }
                state = .listing(pager, page: fresh.items, next: 0)
                return fresh.restarted ? .initStarted : nil
            case .watch(let resourceVersion):
                let stream = try await watcher.client.watch(watcher.kind, resourceVersion: resourceVersion,
                                                            timeoutSeconds: watcher.timing.watchTimeoutSeconds)
                watcher.heardFrom()
                state = .watching(stream.makeAsyncIterator(), resourceVersion: resourceVersion,
                                  opened: .now, received: 0)
                return nil
            case .watching(var events, var resourceVersion, let opened, let received):
                let event: WatchEvent?
                do {
                    event = try await events.next()
                } catch let error where !(error is KubernetesError) && !(error is CancellationError)
                    && (received > 0 || ContinuousClock.now - opened >= .seconds(1))
                {
                    // The connection broke in the middle of the stream: as client-go, a watch that delivered
                    // events or lasted a while is reopened from where it got to; one that fails at once fails.
                    watcher.logger.info("watch connection lost; reopening", metadata: [
                        "resource": "\(watcher.kind.qualifiedResource)", "resourceVersion": "\(resourceVersion)",
                        "error": "\(error)",
                    ])
                    reopen(from: resourceVersion)
                    return nil
                }
                guard let event else {
                    if Task.isCancelled { return nil }
                    watcher.logger.debug("watch ended; reopening", metadata: [
                        "resource": "\(watcher.kind.qualifiedResource)", "resourceVersion": "\(resourceVersion)",
                    ])
                    reopen(from: resourceVersion)
                    return nil
                }
                watcher.heardFrom()
                let produced: WatcherEvent?
                switch event {
                case .added(let object), .modified(let object):
                    resourceVersion = Self.resourceVersion(of: object) ?? resourceVersion
                    produced = .apply(object)
                case .deleted(let object):
                    resourceVersion = Self.resourceVersion(of: object) ?? resourceVersion
                    produced = .delete(object)
                case .bookmark(let version):
                    if !version.isEmpty { resourceVersion = version }
                    produced = nil
                case .error(let code, let message):
                    if code == 410 {
                        throw KubernetesError(.gone, "watch of \(watcher.kind.qualifiedResource): \(message)")
                    }
                    throw KubernetesError(.httpStatus(code),
                                          "watch of \(watcher.kind.qualifiedResource) failed: \(message)")
                }
                state = .watching(events, resourceVersion: resourceVersion, opened: opened, received: received + 1)
                return produced
            }
        }

        private mutating func reopen(from resourceVersion: String) {
            watcher.watchRestarts?.increment()
            state = .watch(from: resourceVersion)
        }

        private static func resourceVersion(of object: JSONObject) -> String? {
            object["metadata"]?["resourceVersion"]?.stringValue
        }
    }
}
