/// Where new emails are decided, and so how far uniqueness is exact (``EmailClaims/decider``).
public enum EmailDecider: String, Sendable, Hashable, CaseIterable {
    /// This replica's reservations (`serve --claims local`): exact among the admissions this replica answers;
    /// two replicas can each allow one email within the watch delay.
    case replica
    /// A Lease per email in the apiserver (`serve --claims lease`): exact across every replica.
    case apiserver
}
