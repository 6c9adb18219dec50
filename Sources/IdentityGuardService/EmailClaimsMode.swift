/// `serve --claims`: who decides that a new email is unique.
public enum EmailClaimsMode: Sendable, Hashable {
    /// A Lease per email in the apiserver, in `namespace` (nil: the pod's namespace, else `identity-guard`):
    /// exact across replicas. Needs a cluster.
    case lease(namespace: String?)
    /// This replica's in-process reservations only (`--no-cluster`, or a single replica).
    case local
    /// `lease` when a cluster is configured, `local` without one.
    case automatic(namespace: String?)

    public static let automatic = EmailClaimsMode.automatic(namespace: nil)
}
