public import KubeJSON

/// Names the object a finding is about — kind, name, namespace if any, and uid once stored — rather than the
/// file it came from.
///
/// The audit reads objects from a cluster, where there is no file; the offline check reads documents from files,
/// where the file is where the object was written, not what it is. Reports name the object by this, and place
/// it in a file by ``FileLocation`` when there is one.
public struct ObjectReference: Sendable, Hashable {
    /// `apiVersion` as written (empty when absent).
    public var apiVersion: String
    /// `kind` as written (empty when absent).
    public var kind: String
    /// `metadata.namespace`; nil for a cluster-scoped object (every kind identity-guard governs).
    public var namespace: String?
    /// `metadata.name` as written (empty when absent).
    public var name: String
    /// `metadata.uid`, set by the apiserver; nil for an object not yet stored.
    public var uid: String?

    public init(apiVersion: String, kind: String, namespace: String? = nil, name: String, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// The reference an object carries in itself; `governed`, when given, fills an absent `apiVersion` and `kind`.
    public init(of object: JSONValue, governed: ResourceKind? = nil) {
        let metadata = object["metadata"]
        self.init(apiVersion: object["apiVersion"]?.stringValue ?? governed?.apiVersion ?? "",
                  kind: object["kind"]?.stringValue ?? governed?.kind ?? "",
                  namespace: metadata?["namespace"]?.stringValue,
                  name: metadata?["name"]?.stringValue ?? "",
                  uid: metadata?["uid"]?.stringValue)
    }

    /// `KIND/NAME`, or `KIND/NAMESPACE/NAME` for a namespaced object: the object as `audit` names it
    /// (`cluster:User/alice`).
    public var path: String {
        namespace.map { "\(kind)/\($0)/\(name)" } ?? "\(kind)/\(name)"
    }
}
