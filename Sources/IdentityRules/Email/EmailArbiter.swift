/// Decides, for the whole cluster, which User may take an email: what makes uniqueness exact when several
/// webhook replicas answer the apiserver at once.
///
/// One replica's in-process reservations (``EmailClaiming``) cannot see another's. An arbiter asks something
/// all replicas share — the apiserver, through an atomic create of a Lease per email — and only for the
/// admissions that claim something new: ``isSettled(_:)`` is true when the cluster already shows the User
/// stored with that email, which is most UPDATEs.
public protocol EmailArbiter: Sendable {
    /// Whether the cluster already shows `claim.userName` stored with `claim.normalizedEmail` (nothing to ask).
    func isSettled(_ claim: EmailClaim) -> Bool
    /// Takes the email for the User, or says who holds it, or why it could not ask.
    func arbitrate(_ claim: EmailClaim) async -> EmailArbitration
}

/// An arbiter's answer.
public enum EmailArbitration: Sendable, Hashable {
    /// The email is this User's now.
    case granted
    /// Another User holds it (live): the admission is a duplicate.
    case heldBy(String)
    /// The arbiter could not be asked (apiserver unreachable, refused, too slow): the webhook fails closed.
    case unavailable(String)
}
