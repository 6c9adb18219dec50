public import IdentityRules

/// An email index that can also reserve an email for a User atomically (the cluster cache's).
///
/// ``AdmissionReviewer`` claims the email of every allowed, non-dry-run User CREATE/UPDATE before it answers;
/// when the claim fails because another request got there first, it evaluates the request again, so that the
/// second of two concurrent requests for one email sees the first one's reservation.
public protocol EmailClaiming: EmailIndex {
    /// Reserves the email for the user unless another User holds or has reserved it; returns whether it did.
    func claim(_ claim: AdmissionOutcome.EmailClaim) -> Bool
}
