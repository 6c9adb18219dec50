/// Reserves an email for a User atomically, so that two concurrent admissions cannot both take it.
///
/// The admission reviewer claims the email of every allowed, non-dry-run User CREATE/UPDATE before it answers;
/// when the claim fails because another request got there first, it evaluates the request again, so that the
/// second of two concurrent requests for one email sees the first one's claim. The cluster cache's index is
/// one; the reviewer receives it as its own dependency, beside the ``EmailIndex`` the rules read.
public protocol EmailClaiming: Sendable {
    /// Reserves the email for the user unless another User holds or has reserved it; returns whether it did.
    func claim(_ claim: EmailClaim) -> Bool
    /// Drops the reservation `claim` made (an arbiter gave the email to someone else, or could not be asked).
    func release(_ claim: EmailClaim)
}
