import Crypto
import CoreMetrics
public import IdentityRules
import KubeJSON
public import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
public import ServiceLifecycle

/// Email claims held by the apiserver (``IdentityRules/EmailDecider/apiserver``): one `coordination.k8s.io/v1`
/// Lease per normalized email, in the webhook's own namespace, so that every replica sees every other replica's
/// claims and etcd's compare-and-swap decides.
///
/// A claim is an atomic create of the Lease (`holderIdentity` = the User, `leaseDurationSeconds` = the
/// reservation TTL). A conflict (409) reads the Lease: held by the same User or expired, it is taken over with
/// an update carrying the read `resourceVersion` — a second conflict means another replica won; held by
/// another User and live, the email is that User's. Once the watch shows the User stored with the email, and
/// ``releaseDelay`` later (so that every replica's watch has shown it too), the claim has done its work and its
/// Lease is deleted; a Lease whose User never appeared expires, and a periodic sweep deletes expired ones. A
/// claim that could not be made (the apiserver unreachable, refusing, or slower than ``callTimeout``) is
/// ``IdentityRules/EmailDecision/unavailable(_:)``: the webhook refuses, and a Lease the failed call may still
/// have created is deleted once the apiserver answers again. Leases are read and written as ``Lease`` values.
public final class LeaseEmailClaims: EmailClaims, Service, Sendable {
    /// The label every claim Lease carries (the sweep lists by it).
    public static let managedBy = "\(Lease.managedByLabel.key)=\(Lease.managedByLabel.value)"

    private struct Pending: Hashable {
        var lease: String
        var user: String
        var normalizedEmail: String
    }

    public let namespace: String
    public let duration: Duration
    public let callTimeout: Duration
    private let client: KubernetesClient
    private let index: ClusterEmailIndex
    private let metrics: ClaimMetrics
    private let logger: Logger
    /// How long a claim outlives the watch showing its User stored: other replicas' watches may lag this one's.
    public let releaseDelay: Duration
    /// A claim taken here: when, and when the watch first showed its User stored with the email.
    private struct Granted {
        var taken: ContinuousClock.Instant
        var storedSince: ContinuousClock.Instant?
    }

    /// Claims taken here, and Leases a failed call may have left. A granted claim leaves when its Lease is
    /// released (its User stored), voided (its User gone or changed) or expired; none stays longer than the
    /// claim duration and the release delay.
    private let state = NIOLockedValueBox<(granted: [Pending: Granted], abandoned: Set<Pending>)>(([:], []))

    /// - Parameters:
    ///   - index: the cluster cache's index: a claim is settled once it shows the User stored with the email.
    ///   - duration: how long a claim holds while its User has not appeared (the reservation TTL).
    ///   - callTimeout: the budget of one claim, well inside the webhook's `timeoutSeconds` (5 s in deploy/).
    public init(client: KubernetesClient, namespace: String, index: ClusterEmailIndex,
                duration: Duration = .seconds(30), callTimeout: Duration = .seconds(2),
                releaseDelay: Duration = .seconds(5), metrics: ClaimMetrics = ClaimMetrics(), logger: Logger)
    {
        self.releaseDelay = releaseDelay
        self.client = client
        self.namespace = namespace
        self.index = index
        self.duration = duration
        self.callTimeout = callTimeout
        self.metrics = metrics
        self.logger = logger
    }

    /// The Lease that holds `normalizedEmail`: `email-` and the SHA-256 of the email in hex (a DNS name that
    /// does not show the address).
    public static func leaseName(for normalizedEmail: String) -> String {
        "email-" + SHA256.hash(data: Array(normalizedEmail.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    var collection: String { "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases" }

    // MARK: - EmailClaims

    public var decider: EmailDecider { .apiserver }

    /// Granted when the watch already shows the User stored with the email (nothing to claim); else nil: the
    /// apiserver must be asked.
    public func decideAtOnce(_ claim: EmailClaim) -> EmailDecision? {
        index.isStored(name: claim.userName, normalizedEmail: claim.normalizedEmail) ? .granted : nil
    }

    /// Claims the email with a Lease: created or taken over, held by another User, or no answer in time.
    public func decide(_ claim: EmailClaim) async -> EmailDecision {
        let start = ContinuousClock.now
        let pending = Pending(lease: Self.leaseName(for: claim.normalizedEmail), user: claim.userName,
                              normalizedEmail: claim.normalizedEmail)
        let result: EmailDecision
        do throws(KubernetesError) {
            result = try await withDeadline(callTimeout) { () async throws(KubernetesError) -> EmailDecision in
                try await self.take(pending)
            }
        } catch {
            result = .unavailable(error.description)
        }
        metrics.duration.recordNanoseconds(TimeAmount(start.duration(to: .now)).nanoseconds)
        switch result {
        case .granted:
            metrics.taken.increment()
            state.withLockedValue { $0.granted[pending] = Granted(taken: start, storedSince: nil) }
        case .heldBy:
            metrics.conflicts.increment()
        case .unavailable(let reason):
            metrics.errors.increment()
            state.withLockedValue { _ = $0.abandoned.insert(pending) }
            logger.warning("email claim failed; admission refused", metadata: [
                "user": "\(claim.userName)", "lease": "\(pending.lease)", "reason": "\(reason)",
            ])
        }
        return result
    }

    /// Create, or read and take over: the compare-and-swap through the apiserver.
    private func take(_ pending: Pending) async throws(KubernetesError) -> EmailDecision {
        for _ in 0..<3 {
            let created = try await call(.POST, collection, body: lease(pending, resourceVersion: nil).json)
            if created.status == 201 { return .granted }
            guard created.status == 409 else { throw refused(created, "creating Lease \(pending.lease)") }
            let read = try await call(.GET, collection + "/" + pending.lease)
            if read.status == 404 { continue }  // deleted in between: create again
            guard read.status == 200, let current = read.body.flatMap(Lease.init(json:)) else {
                throw refused(read, "reading Lease")
            }
            let holder = current.holderIdentity ?? ""
            let void = index.isVoid(holder: holder, normalizedEmail: pending.normalizedEmail,
                                    claimedAt: current.renewTime)
            guard holder == pending.user || current.isExpired() || void else { return .heldBy(holder) }
            if void && holder != pending.user { metrics.voided.increment() }
            let updated = try await call(.PUT, collection + "/" + pending.lease,
                                         body: lease(pending, resourceVersion: current.resourceVersion).json)
            if updated.status == 200 { return .granted }
            guard updated.status == 409 else { throw refused(updated, "taking over Lease \(pending.lease)") }
            // Another replica took it between our read and our update: it is theirs now.
            let winner = try await call(.GET, collection + "/" + pending.lease)
            if let name = winner.body.flatMap(Lease.init(json:))?.holderIdentity, name != pending.user {
                return .heldBy(name)
            }
        }
        throw KubernetesError(.httpStatus(409), "Lease \(pending.lease) kept changing under the claim")
    }

    /// The Lease that claims `pending`'s email for its User from now on.
    private func lease(_ pending: Pending, resourceVersion: String?) -> Lease {
        let now = MicroTime.now
        return Lease(name: pending.lease, namespace: namespace, resourceVersion: resourceVersion,
                     holderIdentity: pending.user, acquireTime: now, renewTime: now,
                     leaseDurationSeconds: max(1, duration.components.seconds))
    }

    private func call(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil)
        async throws(KubernetesError) -> (status: Int, body: JSONValue?)
    {
        try await client.send(method, path, body: body, timeout: TimeAmount(callTimeout))
    }

    private func refused(_ reply: (status: Int, body: JSONValue?), _ what: String) -> KubernetesError {
        let message = reply.body?["message"]?.stringValue ?? ""
        return KubernetesError(.httpStatus(reply.status),
                               "the apiserver refused \(what): HTTP \(reply.status) \(message)")
    }

    // MARK: - Releasing and sweeping

    /// Releases claims whose User the watch shows stored, cleans up after failed calls, and deletes expired
    /// claim Leases, until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            var lastSweep = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                await releaseSettled()
                await removeAbandoned()
                // At least every half claim duration: an expired claim is gone within one duration and a half.
                if ContinuousClock.now - lastSweep >= duration / 2 {
                    lastSweep = .now
                    await sweepExpired()
                }
            }
        }
    }

    /// Deletes the Leases of granted claims whose User the watch has shown stored for ``releaseDelay``, or has
    /// shown stored and then gone (deleted, or stored with another email: the claim is void, delete it now), and
    /// forgets claims whose User never appeared once their Lease has expired in the apiserver.
    func releaseSettled() async {
        let now = ContinuousClock.now
        let due: [Pending] = state.withLockedValue { state in
            var due: [Pending] = []
            for (pending, granted) in state.granted {
                if index.isRetired(name: pending.user, normalizedEmail: pending.normalizedEmail,
                                   claimedAt: granted.taken) {
                    due.append(pending)
                } else if index.isStored(name: pending.user, normalizedEmail: pending.normalizedEmail) {
                    guard let since = granted.storedSince else {
                        state.granted[pending]?.storedSince = now
                        continue
                    }
                    if now - since >= releaseDelay { due.append(pending) }
                } else if granted.storedSince == nil && now - granted.taken >= duration + releaseDelay {
                    // Refused later in the admission chain: the Lease has expired; the sweep deletes it.
                    state.granted[pending] = nil
                }
            }
            return due
        }
        for pending in due where await delete(pending) {
            state.withLockedValue { _ = $0.granted.removeValue(forKey: pending) }
        }
    }

    /// How many claims taken here are still tracked (released, voided and expired ones leave).
    public var grantedCount: Int {
        state.withLockedValue { $0.granted.count }
    }

    /// Deletes Leases that a failed claim may have created, once the apiserver answers again.
    func removeAbandoned() async {
        let abandoned = state.withLockedValue { $0.abandoned }
        for pending in abandoned where await delete(pending) {
            state.withLockedValue { _ = $0.abandoned.remove(pending) }
        }
    }

    /// Deletes `pending`'s Lease if it still names its User; true when nothing of it is left to do.
    private func delete(_ pending: Pending) async -> Bool {
        guard let read = try? await call(.GET, collection + "/" + pending.lease) else { return false }
        if read.status == 404 { return true }
        guard read.status == 200, let current = read.body.flatMap(Lease.init(json:)) else { return false }
        guard current.holderIdentity == pending.user, let version = current.resourceVersion
        else { return true }  // someone else's claim now: not ours to delete
        guard let status = await deleteLease(pending.lease, ifStillAt: version) else { return false }
        return status == 200 || status == 404 || status == 409
    }

    /// Deletes Lease `name` unless it changed since `resourceVersion` (then the apiserver answers 409); the
    /// status, or nil when no answer came.
    private func deleteLease(_ name: String, ifStillAt resourceVersion: String) async -> Int? {
        let options: JSONValue = ["preconditions": ["resourceVersion": .string(resourceVersion)]]
        return try? await call(.DELETE, collection + "/" + name, body: options).status
    }

    /// Deletes every expired claim Lease (any replica's: they are all the same kind of leftover).
    func sweepExpired() async {
        let query = "?labelSelector=" + KubernetesClient.percentEncode(Self.managedBy)
        guard let listed = try? await call(.GET, collection + query), listed.status == 200 else { return }
        let leases = (listed.body?["items"]?.arrayValue ?? []).compactMap(Lease.init(json:))
        for lease in leases where lease.isExpired() {
            guard let version = lease.resourceVersion else { continue }
            _ = await deleteLease(lease.name, ifStillAt: version)
        }
    }
}

/// Runs `body`, or throws a timeout when it takes longer than `limit`.
private func withDeadline<T: Sendable>(
    _ limit: Duration,
    _ body: @escaping @Sendable () async throws(KubernetesError) -> T
) async throws(KubernetesError) -> T {
    let result: Result<T, KubernetesError> = await withTaskGroup(of: Result<T, KubernetesError>?.self) { group in
        group.addTask {
            do throws(KubernetesError) { return .success(try await body()) } catch { return .failure(error) }
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first ?? .failure(KubernetesError(.transport, "no answer from the apiserver within \(limit)"))
    }
    return try result.get()
}
