#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import IdentityRules
import NIOConcurrencyHelpers

/// The cluster's Users by email, kept in step with the list/watch stream, plus this replica's reservations.
///
/// The webhook asks it which Users hold an email (`user.email-unique`) and whether a User exists
/// (`identity.user-exists`). Between an allowed CREATE/UPDATE and the watch event that shows the stored User,
/// the email is *reserved* for that name (README, "Unique emails against the live cluster"): as
/// ``IdentityRules/EmailClaims`` deciding on this replica (``IdentityRules/EmailDecider/replica``),
/// ``claim(_:)`` checks and reserves under one lock, so two concurrent requests for one email cannot both be
/// allowed by this replica. A reservation ends when the watch shows the User with that email, or after
/// ``reservationTTL`` (the request may have failed later in the chain).
public final class ClusterEmailIndex: EmailIndex, EmailClaims, Sendable {
    private struct Reservation {
        var name: String
        var expires: ContinuousClock.Instant
    }

    /// When the watch first showed a User stored with its current email, kept for one ``reservationTTL``:
    /// a claim of that email made before then can only be the one that led to it.
    private struct StoredSince {
        var normalizedEmail: String
        var wallClock: MicroTime
        var seen: ContinuousClock.Instant
    }

    /// A holder the watch has shown stored and then gone (deleted, or stored with another email): its claim on
    /// the email, if made before ``StoredSince/wallClock``, is void.
    private struct Retirement {
        var storedSince: MicroTime
        var storedSeen: ContinuousClock.Instant
        var retired: ContinuousClock.Instant
    }

    private struct State {
        var users = InMemoryEmailIndex()
        var reservations: [String: [Reservation]] = [:]
        var recentlyStored: [String: StoredSince] = [:]
        /// Whether a first list is in: the Users of the first one are not remembered as newly stored.
        var listed = false
        /// Normalized email → holder name → its retirement.
        var retired: [String: [String: Retirement]] = [:]
        /// The names the list in progress has shown so far; nil between lists.
        var listing: Set<String>?
    }

    public let reservationTTL: Duration
    private let state = NIOLockedValueBox(State())
    /// The monotonic time reservations are measured in: `ContinuousClock.now`, or a test's hand-moved clock.
    private let currentTime: @Sendable () -> ContinuousClock.Instant

    /// - Parameter now: the monotonic clock; tests pass one they move by hand, so that expiry is exact.
    public init(reservationTTL: Duration = .seconds(30),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now })
    {
        self.reservationTTL = reservationTTL
        currentTime = now
    }

    // MARK: - EmailIndex

    public func holders(ofNormalizedEmail normalizedEmail: String) -> [EmailHolder] {
        let now = currentTime()
        return state.withLockedValue { state in
            var holders = state.users.holders(ofNormalizedEmail: normalizedEmail)
            for reservation in state.reservations[normalizedEmail] ?? [] where reservation.expires > now
                && !holders.contains(where: { $0.name == reservation.name })
            {
                holders.append(EmailHolder(name: reservation.name))
            }
            return holders
        }
    }

    /// As ``holders(ofNormalizedEmail:)`` without `name`: without a list for the usual answer, nobody else —
    /// `name`'s own reservation, made when this replica allowed it before, is left out rather than added.
    public func holders(ofNormalizedEmail normalizedEmail: String, besides name: String) -> [EmailHolder] {
        let now = currentTime()
        return state.withLockedValue { state in
            var holders = state.users.holders(ofNormalizedEmail: normalizedEmail, besides: name)
            for reservation in state.reservations[normalizedEmail] ?? [] where reservation.expires > now
                && reservation.name != name && !holders.contains(where: { $0.name == reservation.name })
            {
                holders.append(EmailHolder(name: reservation.name))
            }
            return holders
        }
    }

    public func containsUser(named name: String) -> Bool {
        state.withLockedValue { $0.users.containsUser(named: name) }
    }

    // MARK: - Reservations (EmailClaims)

    public var decider: EmailDecider { .replica }

    /// Reserves the email at once: granted, or held by the User that holds or has reserved it.
    public func decideAtOnce(_ claim: EmailClaim) -> EmailDecision? {
        reserve(claim).map(EmailDecision.heldBy) ?? .granted
    }

    public func decide(_ claim: EmailClaim) async -> EmailDecision {
        decideAtOnce(claim) ?? .granted
    }

    /// Reserves `claim.normalizedEmail` for `claim.userName` unless another User holds or has reserved it;
    /// returns whether it did. Re-claiming one's own email refreshes the reservation.
    public func claim(_ claim: EmailClaim) -> Bool {
        reserve(claim) == nil
    }

    /// Reserves the email, or returns the other User that holds it (stored first, else reserved).
    private func reserve(_ claim: EmailClaim) -> String? {
        let now = currentTime()
        let expires = now.advanced(by: reservationTTL)
        return state.withLockedValue { state in
            let email = claim.normalizedEmail
            if let holder = state.users.holders(ofNormalizedEmail: email, besides: claim.userName).first {
                return holder.name
            }
            // In place, under one lookup: the usual list is this very User's reservation from its last review.
            return Self.reserve(claim.userName, until: expires, now: now, in: &state.reservations[email, default: []])
        }
    }

    /// Drops the expired reservations, then reserves for `name` unless another User has a reservation: that
    /// User's name. Never leaves `reservations` empty.
    private static func reserve(_ name: String, until expires: ContinuousClock.Instant,
                                now: ContinuousClock.Instant, in reservations: inout [Reservation]) -> String?
    {
        reservations.removeAll { $0.expires <= now }
        if let other = reservations.first(where: { $0.name != name }) { return other.name }
        if reservations.count == 1 {
            reservations[0].expires = expires
        } else {
            reservations = [Reservation(name: name, expires: expires)]
        }
        return nil
    }

    /// Whether the watch shows User `name` stored with this email (reservations do not count).
    public func isStored(name: String, normalizedEmail: String) -> Bool {
        state.withLockedValue { $0.users.holders(ofNormalizedEmail: normalizedEmail).contains { $0.name == name } }
    }

    /// Whether the claim `holder` made on `normalizedEmail` at `claimedAt` (a Lease's `renewTime`) is void:
    /// the watch has shown `holder` stored with that email — after the claim was made — and then deleted or
    /// stored with another email. Such a claim did its work and its User's life has moved on; the email is free.
    /// A claim made after the holder was first seen stored (a re-created User claiming again) is not void.
    func isVoid(holder: String, normalizedEmail: String, claimedAt: MicroTime?) -> Bool {
        guard let claimedAt else { return false }
        return state.withLockedValue { state in
            guard let retirement = state.retired[normalizedEmail]?[holder] else { return false }
            return claimedAt <= retirement.storedSince
        }
    }

    /// Whether the watch has shown `name` stored with `normalizedEmail` — after `claimedAt`, this process's
    /// instant of a claim it made — and then gone: that claim is void.
    public func isRetired(name: String, normalizedEmail: String, claimedAt: ContinuousClock.Instant) -> Bool {
        state.withLockedValue { state in
            guard let retirement = state.retired[normalizedEmail]?[name] else { return false }
            return claimedAt <= retirement.storedSeen
        }
    }

    /// Drops expired reservations, and what is kept about stored and retired Users for claims older than one
    /// ``reservationTTL`` (their Leases have expired by then); returns how many reservations are left.
    @discardableResult
    public func purgeExpiredReservations() -> Int {
        let now = currentTime()
        let horizon = now.advanced(by: .zero - reservationTTL)
        return state.withLockedValue { state in
            state.reservations = state.reservations.compactMapValues { list in
                let live = list.filter { $0.expires > now }
                return live.isEmpty ? nil : live
            }
            state.recentlyStored = state.recentlyStored.filter { $0.value.seen > horizon }
            state.retired = state.retired.compactMapValues { holders in
                let kept = holders.filter { $0.value.retired > horizon }
                return kept.isEmpty ? nil : kept
            }
            return state.reservations.values.reduce(0) { $0 + $1.count }
        }
    }

    /// How many stored-and-gone holders are remembered (bounded by the Users that changed within one TTL).
    public var retiredCount: Int {
        state.withLockedValue { $0.retired.values.reduce(0) { $0 + $1.count } }
    }

    // MARK: - Feeding from list/watch

    /// Replaces every User with a fresh list (the result of a relist). A User the old list held that the new one
    /// lacks, or holds with another email, is retired from its old email, as a watch event would have done.
    public func replaceAll(_ users: [(name: String, email: String?)]) {
        beginList()
        for user in users { listed(name: user.name, email: user.email) }
        endList()
    }

    /// A full list begins (the first, or a relist after the watch expired): its Users are applied one by one as
    /// they arrive (``listed(name:email:)``) and those it did not show are dropped at its end (``endList()``).
    ///
    /// Applied in place, not gathered and swapped in whole: a relist of a million Users then needs the index it
    /// already has plus the set of names seen (about 30 bytes a User), not a second index beside the first (README,
    /// "Cluster cache memory"). Until the end, a User the new list no longer has is still counted, as it was with
    /// the swap.
    public func beginList() {
        state.withLockedValue { $0.listing = [] }
    }

    /// One User of the list in progress. From the second list on, a User it shows with another email than the
    /// index holds is retired from the old one, as a watch event would have done; a User of the first list is not
    /// remembered as newly stored (most were stored long ago).
    public func listed(name: String, email: String?) {
        let now = (currentTime(), MicroTime.now)
        state.withLockedValue { state in
            state.listing?.insert(name)
            let previous = state.users.normalizedEmail(ofUser: name)
            state.users.upsert(name: name, email: email)
            if state.listed {
                Self.observe(name, previous: previous, current: state.users.normalizedEmail(ofUser: name), at: now,
                             in: &state)
            }
            Self.confirm(name, email: email, in: &state)
        }
    }

    /// The list is complete: the Users it did not show are gone (retired from their emails if recently stored).
    public func endList() {
        let now = currentTime()
        state.withLockedValue { state in
            let seen = state.listing ?? []
            state.listing = nil
            let gone = state.users.userNames.filter { !seen.contains($0) }
            for name in gone { state.users.remove(name: name) }
            guard state.listed else {
                state.listed = true
                return
            }
            for (name, stored) in state.recentlyStored where !state.users.containsUser(named: name) {
                Self.retire(name, from: stored.normalizedEmail, at: now, in: &state)
            }
        }
    }

    /// A User was added or modified.
    public func upsert(name: String, email: String?) {
        let now = (currentTime(), MicroTime.now)
        state.withLockedValue { state in
            let previous = state.users.normalizedEmail(ofUser: name)
            state.users.upsert(name: name, email: email)
            Self.observe(name, previous: previous, current: state.users.normalizedEmail(ofUser: name), at: now,
                         in: &state)
            Self.confirm(name, email: email, in: &state)
        }
    }

    /// A User was deleted: its email is free again, here at once and, for a claim it still holds, on every
    /// replica whose watch has shown the same (``isVoid(holder:normalizedEmail:claimedAt:)``).
    public func remove(name: String) {
        let now = currentTime()
        state.withLockedValue { state in
            if let email = state.users.normalizedEmail(ofUser: name) {
                Self.retire(name, from: email, at: now, in: &state)
            }
            state.users.remove(name: name)
        }
    }

    /// The watch shows `name` holding `current` where it held `previous`: a new email starts its stored life
    /// (and ends any retirement from it); a left email retires it.
    private static func observe(_ name: String, previous: String?, current: String?,
                                at now: (ContinuousClock.Instant, MicroTime), in state: inout State)
    {
        guard previous != current else { return }
        if let previous { retire(name, from: previous, at: now.0, in: &state) }
        if let current {
            state.recentlyStored[name] = StoredSince(normalizedEmail: current, wallClock: now.1, seen: now.0)
            state.retired[current]?[name] = nil
            if state.retired[current]?.isEmpty == true { state.retired[current] = nil }
        } else {
            state.recentlyStored[name] = nil
        }
    }

    /// `name` no longer holds `email`. Only a holder seen stored within one TTL matters: an older claim of
    /// its has expired.
    private static func retire(_ name: String, from email: String, at now: ContinuousClock.Instant,
                               in state: inout State)
    {
        guard let stored = state.recentlyStored[name], stored.normalizedEmail == email else { return }
        state.recentlyStored[name] = nil
        state.retired[email, default: [:]][name] = Retirement(storedSince: stored.wallClock, storedSeen: stored.seen,
                                                              retired: now)
    }

    public var userCount: Int {
        state.withLockedValue { $0.users.userCount }
    }

    public var reservationCount: Int {
        state.withLockedValue { $0.reservations.values.reduce(0) { $0 + $1.count } }
    }

    /// The watch shows `name` stored with `email`: its reservation of that email has served its purpose.
    private static func confirm(_ name: String, email: String?, in state: inout State) {
        guard let email else { return }
        let normalized = EmailNormalizer.normalize(email)
        guard var list = state.reservations[normalized] else { return }
        list.removeAll { $0.name == name }
        state.reservations[normalized] = list.isEmpty ? nil : list
    }
}
