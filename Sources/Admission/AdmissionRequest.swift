public import IdentityRules
public import KubeJSON

/// The part of an `AdmissionReview.request` that identity-guard acts on, decoded from the wire.
///
/// Like kube-rs' `AdmissionRequest`, a plain value without a client; unknown members (`options`,
/// `requestKind`, …) are accepted and ignored, as the protocol adds fields over time. `userInfo` is read only
/// when an exemption selects on who sends the request.
public struct AdmissionRequest: Sendable {
    public var version: AdmissionReviewVersion
    public var uid: String
    public var kind: GroupVersionKind
    public var subResource: String?
    public var name: String?
    public var namespace: String?
    /// The operation, or nil when the request named one this webhook does not know.
    public var operation: IdentityRules.Operation?
    /// The operation string as sent, for messages and logs.
    public var operationName: String
    public var object: JSONValue?
    public var oldObject: JSONValue?
    /// `dryRun: true`: the request must have no side effects (no email reservation).
    public var dryRun: Bool
    /// `userInfo`'s username and groups, when the review was read with them (``unusedMembers(readingUserInfo:)``).
    public var requester: Requester?

    public init(
        version: AdmissionReviewVersion = .v1,
        uid: String,
        kind: GroupVersionKind,
        subResource: String? = nil,
        name: String? = nil,
        namespace: String? = nil,
        operation: IdentityRules.Operation,
        object: JSONValue? = nil,
        oldObject: JSONValue? = nil,
        dryRun: Bool = false,
        requester: Requester? = nil
    ) {
        self.version = version
        self.uid = uid
        self.kind = kind
        self.subResource = subResource
        self.name = name
        self.namespace = namespace
        self.operation = operation
        operationName = operation.rawValue
        self.object = object
        self.oldObject = oldObject
        self.dryRun = dryRun
        self.requester = requester
    }

    /// Members of an AdmissionReview that no rule looks at, so the reader checks them without building them:
    /// the requester, the options, the other resource triples, the objects' `managedFields`, and of the stored
    /// object (`oldObject`) everything but what an UPDATE's rules compare — `identity.immutable` reads its
    /// top-level `providerName` and `providerUserName`, an exemption's label selector its `metadata.labels` — so
    /// its `spec`, `status` and annotations. Together more than half of a typical UPDATE. The apiserver re-encodes
    /// objects, so nothing in them can hide there.
    public static let unusedMembers: [[String]] = [
        ["request", "userInfo"], ["request", "options"], ["request", "resource"], ["request", "requestKind"],
        ["request", "requestResource"], ["request", "requestSubResource"],
        ["request", "object", "metadata", "managedFields"], ["request", "oldObject", "metadata", "managedFields"],
        ["request", "oldObject", "metadata", "annotations"], ["request", "oldObject", "spec"],
        ["request", "oldObject", "status"],
    ]

    /// ``unusedMembers``, or all of them but `userInfo` when an exemption selects on requesters.
    public static func unusedMembers(readingUserInfo: Bool) -> [[String]] {
        readingUserInfo ? unusedMembers.filter { $0 != ["request", "userInfo"] } : unusedMembers
    }

    /// The governed kind this request is about, or nil for a kind identity-guard does not govern.
    public var resourceKind: ResourceKind? {
        ResourceKind(group: kind.group, version: kind.version, kind: kind.kind)
    }

    /// Decodes the AdmissionReview `document`; throws when it cannot be answered with an AdmissionReview.
    public init(review document: JSONValue) throws(AdmissionDecodingError) {
        guard let review = document.objectValue else {
            throw AdmissionDecodingError("the body must be a JSON object (an AdmissionReview)")
        }
        guard let apiVersion = review["apiVersion"]?.stringValue else {
            throw AdmissionDecodingError(
                "apiVersion is missing; expected admission.k8s.io/v1 or admission.k8s.io/v1beta1")
        }
        guard let version = AdmissionReviewVersion(rawValue: apiVersion) else {
            throw AdmissionDecodingError("unsupported apiVersion \(GoQuote.quote(apiVersion)); "
                + "expected admission.k8s.io/v1 or admission.k8s.io/v1beta1")
        }
        guard review["kind"]?.stringValue == "AdmissionReview" else {
            throw AdmissionDecodingError("kind must be \"AdmissionReview\"")
        }
        guard let request = review["request"]?.objectValue else {
            throw AdmissionDecodingError("request is missing or not an object")
        }
        guard let uid = request["uid"]?.stringValue, !uid.isEmpty else {
            throw AdmissionDecodingError("request.uid is missing or empty")
        }
        self.version = version
        self.uid = uid
        let kindObject = request["kind"]?.objectValue
        kind = GroupVersionKind(
            group: kindObject?["group"]?.stringValue ?? "",
            version: kindObject?["version"]?.stringValue ?? "",
            kind: kindObject?["kind"]?.stringValue ?? ""
        )
        subResource = Self.nonEmpty(request["subResource"])
        name = Self.nonEmpty(request["name"])
        namespace = Self.nonEmpty(request["namespace"])
        operationName = request["operation"]?.stringValue ?? ""
        operation = IdentityRules.Operation(rawValue: operationName)
        object = request["object"].flatMap { $0.isNull ? nil : $0 }
        oldObject = request["oldObject"].flatMap { $0.isNull ? nil : $0 }
        dryRun = request["dryRun"]?.boolValue ?? false
        if let userInfo = request["userInfo"]?.objectValue {
            requester = Requester(
                username: userInfo["username"]?.stringValue ?? "",
                groups: userInfo["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
            )
        }
    }

    private static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }
}

/// Why a body cannot be answered with an AdmissionReview at all: the server's HTTP 400, with this reason.
public struct AdmissionDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
