public import ArgumentParser

/// `audit --format`: `check`'s formats, plus a `ClusterPolicyReport` for dashboards that read the Policy Report API.
public enum AuditFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
    case sarif
    case junit
    case policyreport
}
