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

    private struct State {
        var users = InMemoryEmailIndex()
        var reservations: [String: [Reservation]] = [:]
    }

    public let reservationTTL: Duration
    private let state = NIOLockedValueBox(State())
    private let clock = ContinuousClock()

    public init(reservationTTL: Duration = .seconds(30)) {
        self.reservationTTL = reservationTTL
    }

    // MARK: - EmailIndex

    public func holders(ofNormalizedEmail normalizedEmail: String) -> [EmailHolder] {
        let now = clock.now
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
        let now = clock.now
        let expires = now.advanced(by: reservationTTL)
        return state.withLockedValue { state in
            let email = claim.normalizedEmail
            if let holder = state.users.userNames(forNormalizedEmail: email).first(where: { $0 != claim.userName }) {
                return holder
            }
            var reservations = (state.reservations[email] ?? []).filter { $0.expires > now }
            if let other = reservations.first(where: { $0.name != claim.userName }) {
                state.reservations[email] = reservations
                return other.name
            }
            reservations.removeAll { $0.name == claim.userName }
            reservations.append(Reservation(name: claim.userName, expires: expires))
            state.reservations[email] = reservations
            return nil
        }
    }

    /// Whether the watch shows User `name` stored with this email (reservations do not count).
    public func isStored(name: String, normalizedEmail: String) -> Bool {
        state.withLockedValue { $0.users.holders(ofNormalizedEmail: normalizedEmail).contains { $0.name == name } }
    }

    /// Drops expired reservations; returns how many are left.
    @discardableResult
    public func purgeExpiredReservations() -> Int {
        let now = clock.now
        return state.withLockedValue { state in
            state.reservations = state.reservations.compactMapValues { list in
                let live = list.filter { $0.expires > now }
                return live.isEmpty ? nil : live
            }
            return state.reservations.values.reduce(0) { $0 + $1.count }
        }
    }

    // MARK: - Feeding from list/watch

    /// Replaces every User with a fresh list (the result of a relist).
    public func replaceAll(_ users: [(name: String, email: String?)]) {
        var fresh = InMemoryEmailIndex()
        for user in users { fresh.upsert(name: user.name, email: user.email) }
        state.withLockedValue { state in
            state.users = fresh
            for user in users { Self.confirm(user.name, email: user.email, in: &state) }
        }
    }

    /// A User was added or modified.
    public func upsert(name: String, email: String?) {
        state.withLockedValue { state in
            state.users.upsert(name: name, email: email)
            Self.confirm(name, email: email, in: &state)
        }
    }

    /// A User was deleted: its email is free again.
    public func remove(name: String) {
        state.withLockedValue { $0.users.remove(name: name) }
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
