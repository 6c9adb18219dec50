public import KubeJSON

/// The words every AdmissionReview and identity object repeats, registered with the JSON reader.
///
/// A 2.4 KB User review holds about a hundred keys and enum-like values; handing out prebuilt Strings for them
/// instead of decoding each one is a measurable part of the hot path (README, "Performance").
public enum AdmissionVocabulary {
    public static let words = [
        "apiVersion", "kind", "metadata", "name", "uid", "spec", "status", "labels", "annotations",
        "creationTimestamp", "generation", "resourceVersion", "managedFields", "namespace", "finalizers",
        "request", "response", "object", "oldObject", "operation", "dryRun", "subResource", "options", "userInfo",
        "group", "version", "resource", "requestKind", "requestResource", "username", "groups", "allowed",
        "AdmissionReview", "admission.k8s.io/v1", "admission.k8s.io/v1beta1", "User", "Identity", "users",
        "identities", "auth.alauda.io", "auth.alauda.io/v1", "user.openshift.io", "user.openshift.io/v1", "v1",
        "CREATE", "UPDATE", "DELETE", "CONNECT", "email", "connector_type", "connector_id", "connector_name",
        "valid", "state", "is_disabled", "is_admin", "last_login_time", "account", "mail", "mobile", "password",
        "old_password", "extra", "expired", "ids", "continuity_errors", "webhookType", "webhookUrl", "local",
        "ldap", "oidc", "active", "disabled", "locked", "invalid", "providerName", "providerUserName", "user",
        "fieldsType", "fieldsV1", "manager", "time", "Update", "Apply", "FieldsV1",
    ]

    /// The vocabulary the admission decoder reads with.
    public static let shared = JSONVocabulary(words: words)
}
