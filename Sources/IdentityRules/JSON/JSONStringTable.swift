/// Prebuilt Strings for the words every AdmissionReview and identity object repeats (`apiVersion`,
/// `metadata`, `User`, `CREATE`, …), so the reader hands out a copy instead of building and validating a new
/// String each time. Misses cost a length check and, rarely, one comparison.
enum JSONStringTable {
    private static let words = [
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

    /// A word as two little-endian 64-bit words of its first 16 bytes (zero-padded) and the rest.
    private struct Entry {
        var head: UInt64
        var middle: UInt64
        var tail: [UInt8]
        var word: String
    }

    /// Words by UTF-8 length.
    private static let byLength: [[Entry]] = {
        var table = Array(repeating: [Entry](), count: 33)
        for word in words where word.utf8.count < table.count {
            let bytes = Array(word.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                table[bytes.count].append(Entry(head: load(buffer, from: 0), middle: load(buffer, from: 8),
                                                tail: Array(bytes.dropFirst(16)), word: word))
            }
        }
        return table
    }()

    /// Up to eight bytes from `offset` as a little-endian integer, zero-padded.
    @inline(__always)
    private static func load(_ bytes: UnsafeBufferPointer<UInt8>, from offset: Int) -> UInt64 {
        var value: UInt64 = 0
        var index = min(bytes.count, offset + 8)
        while index > offset {
            index -= 1
            value = value << 8 | UInt64(bytes[index])
        }
        return value
    }

    /// The prebuilt String for `bytes` when it is a known word.
    @inline(__always)
    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let count = bytes.count
        guard count > 1, count < 33 else { return nil }
        let candidates = byLength[count]
        if candidates.isEmpty { return nil }
        let head = load(bytes, from: 0)
        for candidate in candidates where candidate.head == head {
            guard count > 8 else { return candidate.word }
            guard candidate.middle == load(bytes, from: 8) else { continue }
            if count <= 16 || candidate.tail.elementsEqual(bytes[16...]) { return candidate.word }
        }
        return nil
    }
}
