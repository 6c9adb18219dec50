/// Which webhook a review arrives at: `/validate` denies, `/mutate` only patches.
///
/// One vocabulary for the reviewer, the HTTP routes, logs and metrics labels.
public enum WebhookType: String, Sendable, Hashable, CaseIterable {
    case validating
    case mutating

    /// The endpoint's name, as routed (`/validate`) and labelled in logs and metrics (`validate`).
    public var endpoint: String {
        switch self {
        case .validating: "validate"
        case .mutating: "mutate"
        }
    }
}
