import KubeJSON

/// Both governed kinds are cluster-scoped: `metadata.namespace` must not be set.
enum ClusterScope {
    static func namespaceViolation(of object: JSONObject, rule: RuleID) -> Violation? {
        guard let namespace = object["metadata"]?["namespace"]?.stringValue, !namespace.isEmpty else { return nil }
        return Violation(rule: rule, field: FieldPath("metadata", "namespace"), type: .forbidden,
                         detail: "not allowed on this type")
    }
}
