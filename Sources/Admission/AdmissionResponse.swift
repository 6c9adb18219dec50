public import IdentityRules
public import KubeJSON
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The answer to one AdmissionReview, built from the request and refined (kube-rs style): the uid is always
/// copied, and `patchType` exists only together with a non-empty patch, so the two cannot drift apart and a
/// validating answer can never carry either.
public struct AdmissionResponse: Sendable, Hashable {
    /// `response.status` for a refused request.
    public struct Status: Sendable, Hashable {
        public var code: Int
        public var reason: String
        public var message: String
        public var details: Details?

        public init(code: Int, reason: String, message: String, details: Details? = nil) {
            self.code = code
            self.reason = reason
            self.message = message
            self.details = details
        }
    }

    /// `status.details`: which object, and one cause per violation.
    public struct Details: Sendable, Hashable {
        public var name: String
        public var group: String
        public var kind: String
        public var causes: [Cause]

        public init(name: String, group: String, kind: String, causes: [Cause]) {
            self.name = name
            self.group = group
            self.kind = kind
            self.causes = causes
        }
    }

    /// A `StatusCause`.
    public struct Cause: Sendable, Hashable {
        public var reason: String
        public var message: String
        public var field: String

        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// The largest warning the apiserver passes on, in bytes.
    public static let maximumWarningLength = 120

    /// The request's uid, always copied (controller-runtime copies it even on error).
    public let uid: String
    /// The request's AdmissionReview version, which the answer must use.
    public let version: AdmissionReviewVersion
    public private(set) var allowed: Bool = true
    public private(set) var status: Status?
    public private(set) var patch: JSONPatch?
    public var auditAnnotations: [AuditAnnotation] = []
    public private(set) var warnings: [String] = []
    /// Warnings past ``AnswerBounds/maximumWarnings``, counted in the last warning instead of listed.
    private var hiddenWarnings = 0

    /// `"JSONPatch"` when the response carries a patch, else nil.
    public var patchType: String? { patch == nil ? nil : "JSONPatch" }

    /// The answer to `request`, allowed until refined (kube-rs' `AdmissionResponse::from(&req)`).
    public init(for request: AdmissionRequest) {
        self.init(uid: request.uid, version: request.version)
    }

    /// An allowed answer to the request with this uid and version.
    public init(uid: String, version: AdmissionReviewVersion = .v1) {
        self.uid = uid
        self.version = version
    }

    // MARK: - Verdicts

    /// Refused with 403 Forbidden: `status.message` joins the violations as the apiserver's `NewInvalid` does
    /// (`User.auth.alauda.io "alice" is invalid: [a, b]`), with one `StatusCause` each — bounded by
    /// ``AnswerBounds``: past the first 100 causes (or their byte budget) one last cause, and the message's
    /// last entry, say how many more there were and of which rules. Linear in the number of violations.
    /// `omitted` counts, per rule, violations a limit left unbuilt (``RuleEngine/validate(_:violationLimit:)``):
    /// they are told in that last entry.
    public func denied(
        kind: ResourceKind,
        name: String,
        violations: [Violation],
        omitted: [(ruleID: RuleID, count: Int)] = []
    ) -> AdmissionResponse {
        var causes: [Cause] = []
        causes.reserveCapacity(min(violations.count, AnswerBounds.maximumCauses) + 1)
        var causeBytes = 0
        var hiddenCauses = AnswerBounds.HiddenCount()
        var messages: [String] = []
        var seenMessages = Set<String>()
        var messageBytes = 0
        var hiddenMessages = AnswerBounds.HiddenCount()
        // Once the causes and the message are full, a violation is only counted: no text is built for it.
        var causesFull = false
        var messagesFull = false
        for violation in violations {
            if causesFull && messagesFull {
                hiddenCauses.add(violation.ruleID)
                hiddenMessages.add(violation.ruleID)
                continue
            }
            let body = AnswerBounds.shortened(violation.body)
            let field = AnswerBounds.shortened(violation.field.description)
            let causeCost = AnswerBounds.encodedLength(body) + AnswerBounds.encodedLength(field)
            causesFull = causesFull || causes.count == AnswerBounds.maximumCauses
                || causeBytes + causeCost > AnswerBounds.causeBytes
            if causesFull {
                hiddenCauses.add(violation.ruleID)
            } else {
                causes.append(Cause(reason: violation.type.causeReason, message: body, field: field))
                causeBytes += causeCost
            }
            let message = field.isEmpty ? body : field + ": " + body
            guard messagesFull || seenMessages.insert(message).inserted else { continue }
            let messageCost = AnswerBounds.encodedLength(message) + 2
            messagesFull = messagesFull || messages.count == AnswerBounds.maximumCauses
                || messageBytes + messageCost > AnswerBounds.messageBytes
            if messagesFull {
                hiddenMessages.add(violation.ruleID)
            } else {
                messages.append(message)
                messageBytes += messageCost
            }
        }
        for (ruleID, count) in omitted {
            hiddenCauses.add(ruleID, count: count)
            hiddenMessages.add(ruleID, count: count)
        }
        if let more = hiddenCauses.summary(of: "violations") {
            causes.append(Cause(reason: AnswerBounds.truncatedCauseReason, message: more, field: ""))
        }
        if let more = hiddenMessages.summary(of: "violations") { messages.append(more) }
        let joined = messages.count == 1 ? messages[0] : "[" + messages.joined(separator: ", ") + "]"
        return refused(Status(
            code: 403,
            reason: "Forbidden",
            message: "\(kind.qualifiedKind) \(GoQuote.quote(name)) is invalid: \(joined)",
            details: Details(name: name, group: kind.group, kind: kind.kind, causes: causes)
        ))
    }

    /// Refused because the request itself cannot be evaluated (controller-runtime's `Errored`): fail closed.
    public func errored(code: Int = 400, message: String) -> AdmissionResponse {
        let reason = code == 400 ? "BadRequest" : "InternalError"
        return refused(Status(code: code, reason: reason, message: message))
    }

    private func refused(_ status: Status) -> AdmissionResponse {
        var copy = self
        copy.allowed = false
        copy.status = status
        copy.patch = nil
        return copy
    }

    // MARK: - Refinements

    /// The same response carrying `patch`; an empty patch is omitted.
    public func patched(_ patch: JSONPatch) -> AdmissionResponse {
        var copy = self
        copy.patch = patch.isEmpty ? nil : patch
        return copy
    }

    /// The same response with `warnings` added, each made safe for the apiserver: valid UTF-8, control
    /// characters replaced by spaces, at most 120 bytes (cut at a character boundary, ending in `...`). Past
    /// 100 warnings one last warning says how many more there were, `omitted` (left unbuilt by a violation
    /// limit) among them.
    public func warning(_ warnings: [String], omitted: Int = 0) -> AdmissionResponse {
        if warnings.isEmpty && omitted == 0 { return self }  // most answers: nothing to add, nothing to copy
        var copy = self
        if copy.hiddenWarnings > 0 { copy.warnings.removeLast() }
        copy.hiddenWarnings += omitted
        for warning in warnings {
            if copy.warnings.count < AnswerBounds.maximumWarnings {
                copy.warnings.append(Self.sanitizedWarning(warning))
            } else {
                copy.hiddenWarnings += 1
            }
        }
        if copy.hiddenWarnings > 0 { copy.warnings.append("\(copy.hiddenWarnings) more warnings not shown") }
        return copy
    }

    static func sanitizedWarning(_ text: String) -> String {
        if text.utf8.count <= maximumWarningLength, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(scalar.properties.generalCategory == .control ? " " : scalar)
        }
        var warning = String(result)
        guard warning.utf8.count > maximumWarningLength else { return warning }
        var scalars = warning.unicodeScalars
        var length = warning.utf8.count
        while length > maximumWarningLength - 3, let last = scalars.popLast() {
            length -= String(last).utf8.count
        }
        warning = String(scalars) + "..."
        return warning
    }

    // MARK: - Encoding

    /// The whole `AdmissionReview` in the request's version, as compact JSON bytes.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256 + (status?.message.utf8.count ?? 0) * 3)
        writer.beginObject()
        writer.writeMember(literal: "apiVersion", version.rawValue)
        writer.writeMember(literal: "kind", "AdmissionReview")
        writer.writeKey(literal: "response")
        write(to: &writer)
        writer.endObject()
        return writer.takeBytes()
    }

    /// The `response` object, members in the order Go's `AdmissionResponse` declares them.
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeMember(literal: "uid", uid)
        writer.writeKey(literal: "allowed")
        writer.writeBool(allowed)
        if let status { write(status, to: &writer) }
        if let patch {
            writer.writeMember(literal: "patch", Data(patch.serialized).base64EncodedString())
            writer.writeMember(literal: "patchType", "JSONPatch")
        }
        if !auditAnnotations.isEmpty {
            writer.writeKey(literal: "auditAnnotations")
            writer.beginObject()
            for annotation in auditAnnotations { writer.writeMember(annotation.key, annotation.value) }
            writer.endObject()
        }
        if !warnings.isEmpty {
            writer.writeKey(literal: "warnings")
            writer.beginArray()
            for warning in warnings {
                writer.beginElement()
                writer.writeString(warning)
            }
            writer.endArray()
        }
        writer.endObject()
    }

    private func write(_ status: Status, to writer: inout JSONWriter) {
        writer.writeKey(literal: "status")
        writer.beginObject()
        writer.writeKey(literal: "metadata")
        writer.beginObject()
        writer.endObject()
        writer.writeMember(literal: "status", "Failure")
        writer.writeMember(literal: "message", status.message)
        writer.writeMember(literal: "reason", status.reason)
        if let details = status.details {
            writer.writeKey(literal: "details")
            writer.beginObject()
            if !details.name.isEmpty { writer.writeMember(literal: "name", details.name) }
            writer.writeMember(literal: "group", details.group)
            writer.writeMember(literal: "kind", details.kind)
            writer.writeKey(literal: "causes")
            writer.beginArray()
            for cause in details.causes {
                writer.beginElement()
                writer.beginObject()
                writer.writeMember(literal: "reason", cause.reason)
                writer.writeMember(literal: "message", cause.message)
                writer.writeMember(literal: "field", cause.field)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.writeKey(literal: "code")
        writer.writeInteger(Int64(status.code))
        writer.endObject()
    }
}
