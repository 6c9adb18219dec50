/// Decides whether a User may take an email the cluster does not yet show as its own: what makes
/// `user.email-unique` hold between two concurrent admissions (README, "Unique emails against the live cluster").
///
/// The one thing the admission reviewer asks about emails, whoever answers (``decider``): this replica's
/// reservations, taken and checked under one lock — exact for one replica only — or Lease claims in the
/// apiserver, which every replica asks, so that etcd's compare-and-swap decides. The reviewer asks
/// ``decideAtOnce(_:)`` while it evaluates the request, and ``decide(_:)`` (off the event loop) only when that
/// had no answer; a claim held by another User is evaluated again with that User holding the email, so that it
/// is refused exactly like any other duplicate.
public protocol EmailClaims: Sendable {
    /// Where emails are decided.
    var decider: EmailDecider { get }
    /// The decision when it needs no waiting — always for this replica's reservations, for the apiserver only
    /// when the cluster already shows the User stored with the email (most UPDATEs) — else nil.
    func decideAtOnce(_ claim: EmailClaim) -> EmailDecision?
    /// The decision, asking the apiserver if need be.
    func decide(_ claim: EmailClaim) async -> EmailDecision
}
