public import KubeJSON

/// What a rule looks at: the object, the operation, the previous object on UPDATE, and the other Users.
///
/// The webhook builds it from an AdmissionReview, the offline checker from a document in a file; rules do
/// not know which.
public struct RuleSubject: Sendable {
    public var kind: ResourceKind
    public var operation: Operation
    public let object: JSONObject
    public var oldObject: JSONObject?
    /// The subresource of the request (`status`), if any.
    public var subresource: String?
    /// The name of the object: `metadata.name`, else the request's name.
    public var name: String
    /// The Users known besides this one (cluster cache, or the files checked together).
    public var emailIndex: any EmailIndex
    /// Who sent the request (`request.userInfo`); nil offline, where exemptions that name requesters never apply.
    public var requester: Requester?

    public init(
        kind: ResourceKind,
        operation: Operation = .create,
        object: JSONObject,
        oldObject: JSONObject? = nil,
        subresource: String? = nil,
        name: String? = nil,
        emailIndex: any EmailIndex = InMemoryEmailIndex()
    ) {
        self.kind = kind
        self.operation = operation
        self.object = object
        self.oldObject = oldObject
        self.subresource = subresource
        self.name = object["metadata"]?["name"]?.stringValue ?? name ?? ""
        self.emailIndex = emailIndex
        spec = object["spec"]?.objectValue
    }

    /// `spec` when it is an object (looked up once: most User rules start from it).
    public let spec: JSONObject?

    /// The labels an exemption's `labels` selector reads: the stored object's on UPDATE (`oldObject`), so that a
    /// request cannot exempt itself by adding the label it needs; the new object's otherwise.
    public var exemptionLabels: [String: String] {
        let source = operation == .update ? (oldObject ?? object) : object
        var labels: [String: String] = [:]
        for member in source["metadata"]?["labels"]?.objectValue?.members ?? [] {
            if let value = member.value.stringValue { labels[member.key] = value }
        }
        return labels
    }
}
