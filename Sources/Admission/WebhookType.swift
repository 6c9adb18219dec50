/// Which webhook a review arrives at: `/validate` denies, `/mutate` only patches.
public enum WebhookType: String, Sendable, Hashable, CaseIterable {
    case validating
    case mutating
}
