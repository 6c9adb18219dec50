import KubeJSON

/// A `coordination.k8s.io/v1` Lease as email claims read and write it: the fields they use, typed, decoded from
/// and encoded to JSON in this one place.
///
/// ``LeaseEmailClaims`` decides who holds an email from a Lease's holder and times; raw look-ups
/// (`lease["spec"]?["renewTime"]`) scattered over the claim logic would each have to agree on types and on what a
/// missing field means.
struct Lease: Sendable, Hashable {
    /// The label every claim Lease carries (``LeaseEmailClaims/managedBy`` selects by it).
    static let managedByLabel = (key: "app.kubernetes.io/managed-by", value: "identity-guard")

    var name: String
    var namespace: String
    /// The version the apiserver stored; sent back on an update so that etcd's compare-and-swap decides.
    var resourceVersion: String?
    /// The User that holds the email.
    var holderIdentity: String?
    var acquireTime: MicroTime?
    var renewTime: MicroTime?
    var leaseDurationSeconds: Int64?

    init(name: String, namespace: String, resourceVersion: String? = nil, holderIdentity: String? = nil,
         acquireTime: MicroTime? = nil, renewTime: MicroTime? = nil, leaseDurationSeconds: Int64? = nil)
    {
        self.name = name
        self.namespace = namespace
        self.resourceVersion = resourceVersion
        self.holderIdentity = holderIdentity
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseDurationSeconds = leaseDurationSeconds
    }

    /// A Lease as the apiserver returns it; nil when `json` is not an object with a `metadata.name`. A field
    /// of the wrong type reads as absent.
    init?(json: JSONValue) {
        guard let name = json["metadata"]?["name"]?.stringValue else { return nil }
        let spec = json["spec"]
        self.init(
            name: name,
            namespace: json["metadata"]?["namespace"]?.stringValue ?? "",
            resourceVersion: json["metadata"]?["resourceVersion"]?.stringValue,
            holderIdentity: spec?["holderIdentity"]?.stringValue,
            acquireTime: spec?["acquireTime"]?.stringValue.flatMap(MicroTime.init),
            renewTime: spec?["renewTime"]?.stringValue.flatMap(MicroTime.init),
            leaseDurationSeconds: {
                if case .integer(let seconds)? = spec?["leaseDurationSeconds"] { return seconds }
                return nil
            }()
        )
    }

    /// The Lease to create or update: identity-guard's label, and only the fields that are set.
    var json: JSONValue {
        var metadata = JSONObject([
            .init(key: "name", value: .string(name)),
            .init(key: "namespace", value: .string(namespace)),
            .init(key: "labels", value: [Self.managedByLabel.key: .string(Self.managedByLabel.value)]),
        ])
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        var spec = JSONObject()
        if let holderIdentity { spec["holderIdentity"] = .string(holderIdentity) }
        if let leaseDurationSeconds { spec["leaseDurationSeconds"] = .integer(leaseDurationSeconds) }
        if let acquireTime { spec["acquireTime"] = .string(acquireTime.description) }
        if let renewTime { spec["renewTime"] = .string(renewTime.description) }
        return [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": .object(metadata),
            "spec": .object(spec),
        ]
    }

    /// Whether `renewTime + leaseDurationSeconds` has passed at `now`; a Lease without either is expired (no one
    /// can be holding it).
    func isExpired(now: MicroTime = .now) -> Bool {
        guard let renewTime, let leaseDurationSeconds else { return true }
        return renewTime.microseconds + leaseDurationSeconds * 1_000_000 < now.microseconds
    }
}
