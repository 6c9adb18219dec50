/// What ``EmailClaims`` decided about an ``EmailClaim``.
public enum EmailDecision: Sendable, Hashable {
    /// The email is this User's now.
    case granted
    /// Another User holds it: the admission is a duplicate (evaluated again, it is refused or warned).
    case heldBy(String)
    /// No decision could be had (apiserver unreachable, refusing, too slow): the webhook fails closed.
    case unavailable(String)
}
