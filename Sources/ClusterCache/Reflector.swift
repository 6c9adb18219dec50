#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import IdentityRules
public import Logging
import NIOCore
public import ServiceLifecycle

/// Keeps a sink in step with one kind of the cluster through the Kubernetes list/watch protocol.
///
/// client-go's reflector, in small: a paged list (`limit` + `continue`; an expired continue token, 410,
/// restarts the list), then a watch from the list's resourceVersion with bookmarks advancing it; a watch that
/// ends is reopened from the last resourceVersion; `410 Gone` — as a status or as an `ERROR` event — means the
/// version is too old and the reflector lists again. Failures back off exponentially with full jitter. A kind
/// that is not served (404: its CRD is not installed) is reported clearly and retried, never a crash.
public final class Reflector: Service, Sendable {
    /// Receives the objects (the email index for Users).
    public struct Sink: Sendable {
        /// A complete list replaced everything known.
        public var replaceAll: @Sendable ([JSONObject]) -> Void
        public var upsert: @Sendable (JSONObject) -> Void
        public var delete: @Sendable (JSONObject) -> Void
        /// What to hold of each listed object until the list is complete (nil drops it). A list is held until
        /// its last page: a sink that needs a few fields keeps memory to those (100,000 whole Users are ~350 MB).
        public var keep: @Sendable (JSONObject) -> JSONObject?

        public init(
            replaceAll: @escaping @Sendable ([JSONObject]) -> Void,
            upsert: @escaping @Sendable (JSONObject) -> Void,
            delete: @escaping @Sendable (JSONObject) -> Void,
            keep: @escaping @Sendable (JSONObject) -> JSONObject? = { $0 }
        ) {
            self.replaceAll = replaceAll
            self.upsert = upsert
            self.delete = delete
            self.keep = keep
        }
    }

    /// What the reflector tells the server about itself (readiness, metrics).
    public struct Observer: Sendable {
        /// A full list is in: the count and whether it was the first.
        public var listed: @Sendable (_ count: Int, _ first: Bool) -> Void = { _, _ in }
        /// A relist is starting (after 410 or an error).
        public var relisting: @Sendable () -> Void = {}
        /// A watch ended and is reopened.
        public var watchRestarted: @Sendable () -> Void = {}
        /// An event was applied.
        public var applied: @Sendable () -> Void = {}

        public init() {}
    }

    /// Timing knobs; tests shorten them.
    public struct Timing: Sendable {
        public var pageSize = 500
        public var watchTimeoutSeconds = 300
        public var initialBackoff: Duration = .milliseconds(500)
        public var maximumBackoff: Duration = .seconds(30)

        public init() {}
    }

    public let resource: KubernetesClient.Resource
    private let client: KubernetesClient
    private let sink: Sink
    private let observer: Observer
    private let timing: Timing
    private let logger: Logger

    public init(client: KubernetesClient, resource: KubernetesClient.Resource, sink: Sink,
                observer: Observer = Observer(), timing: Timing = Timing(), logger: Logger)
    {
        self.client = client
        self.resource = resource
        self.sink = sink
        self.observer = observer
        self.timing = timing
        self.logger = logger
    }

    /// Lists and watches until cancelled or the service group shuts down.
    public func run() async {
        await cancelWhenGracefulShutdown { await self.loop() }
    }

    private func loop() async {
        var failures = 0
        var listedOnce = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if listedOnce { observer.relisting() }
                let (resourceVersion, count) = try await listAll()
                observer.listed(count, !listedOnce)
                listedOnce = true
                failures = 0
                try await watchFrom(resourceVersion)
            } catch let error as KubernetesError where error.code == .gone {
                logger.info("resourceVersion too old; listing again", metadata: ["resource": "\(resource)"])
                continue
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                let level: Logger.Level = failures == 1 ? .warning : .info
                let delay = backoff(after: failures)
                logger.log(level: level, "cluster cache list/watch failed; retrying", metadata: [
                    "resource": "\(resource)", "error": "\(error)", "attempt": "\(failures)",
                    "retry_in_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                ])
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// Lists every page; returns the list's resourceVersion and size. An expired continue token restarts it.
    private func listAll() async throws(KubernetesError) -> (resourceVersion: String, count: Int) {
        while true {
            var items: [JSONObject] = []
            var token: String?
            var resourceVersion = ""
            do throws(KubernetesError) {
                repeat {
                    let page = try await client.list(resource, limit: timing.pageSize, continueToken: token)
                    items.append(contentsOf: page.items.compactMap(sink.keep))
                    token = page.continueToken
                    if resourceVersion.isEmpty { resourceVersion = page.resourceVersion }
                } while token != nil
            } catch where error.code == .gone && token != nil {
                logger.info("list continue token expired; restarting the list", metadata: ["resource": "\(resource)"])
                continue
            }
            sink.replaceAll(items)
            logger.info("cluster cache listed", metadata: [
                "resource": "\(resource)", "objects": "\(items.count)", "resourceVersion": "\(resourceVersion)",
            ])
            return (resourceVersion, items.count)
        }
    }

    /// Watches from `resourceVersion`, reopening the watch when it ends, until a 410 (thrown) or a failure.
    private func watchFrom(_ start: String) async throws {
        var resourceVersion = start
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let stream = try await client.watch(resource, resourceVersion: resourceVersion,
                                                timeoutSeconds: timing.watchTimeoutSeconds)
            let opened = ContinuousClock.now
            var received = 0
            do {
                for try await event in stream.cancelOnGracefulShutdown() {
                    received += 1
                    switch event {
                    case .added(let object), .modified(let object):
                        sink.upsert(object)
                        resourceVersion = Self.resourceVersion(of: object) ?? resourceVersion
                    case .deleted(let object):
                        sink.delete(object)
                        resourceVersion = Self.resourceVersion(of: object) ?? resourceVersion
                    case .bookmark(let version):
                        if !version.isEmpty { resourceVersion = version }
                    case .error(let code, let message):
                        if code == 410 { throw KubernetesError(.gone, "watch of \(resource): \(message)") }
                        throw KubernetesError(.httpStatus(code), "watch of \(resource) failed: \(message)")
                    }
                    observer.applied()
                }
            } catch let error where !(error is KubernetesError) && !(error is CancellationError)
                && (received > 0 || ContinuousClock.now - opened >= .seconds(1))
            {
                // The connection broke in the middle of the stream (as client-go, a watch that delivered events
                // or lasted a while is reopened from where it got to; one that fails at once is a failure).
                logger.info("watch connection lost; reopening", metadata: [
                    "resource": "\(resource)", "resourceVersion": "\(resourceVersion)", "error": "\(error)",
                ])
            }
            observer.watchRestarted()
            logger.debug("watch ended; reopening", metadata: ["resource": "\(resource)",
                                                            "resourceVersion": "\(resourceVersion)"])
        }
    }

    private static func resourceVersion(of object: JSONObject) -> String? {
        object["metadata"]?["resourceVersion"]?.stringValue
    }

    /// Full jitter: a random delay up to min(maximum, initial × 2^(failures-1)).
    private func backoff(after failures: Int) -> Duration {
        let ceiling = min(timing.maximumBackoff, timing.initialBackoff * (1 << min(failures - 1, 16)))
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: (nanoseconds / 10)...max(nanoseconds / 10, nanoseconds)))
    }
}
