import KubeJSON
import Admission
import AsyncHTTPClient
import Foundation
import IdentityRules
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle
import Testing
import WebhookServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// AdmissionReview request bodies and expected envelopes, as the apiserver sends and expects them.
package enum Review {
    package static let v1 = "admission.k8s.io/v1"
    package static let v1beta1 = "admission.k8s.io/v1beta1"
    package static let userKind: JSONValue = ["group": "auth.alauda.io", "version": "v1", "kind": "User"]
    package static let identityKind: JSONValue = ["group": "user.openshift.io", "version": "v1", "kind": "Identity"]

    /// An AdmissionReview request body; members in the order the apiserver writes them.
    package static func body(
        apiVersion: String = v1,
        uid: String = "705ab4f5-6393-11e8-b7cc-42010a800002",
        kind: JSONValue = userKind,
        operation: String = "CREATE",
        name: String = "alice",
        subResource: String? = nil,
        object: JSONValue? = nil,
        oldObject: JSONValue? = nil,
        dryRun: Bool = false,
        userInfo: JSONValue? = nil
    ) -> [UInt8] {
        var request = JSONObject([
            .init(key: "uid", value: .string(uid)),
            .init(key: "kind", value: kind),
            .init(key: "name", value: .string(name)),
            .init(key: "operation", value: .string(operation)),
        ])
        if let subResource { request["subResource"] = .string(subResource) }
        request["object"] = object ?? .null
        request["oldObject"] = oldObject ?? .null
        request["dryRun"] = .bool(dryRun)
        if let userInfo { request["userInfo"] = userInfo }
        let review: JSONValue = [
            "apiVersion": .string(apiVersion), "kind": "AdmissionReview", "request": .object(request),
        ]
        return JSONWriter.serialize(review)
    }

    package static func user(_ name: String, _ spec: JSONValue) -> JSONValue {
        ["apiVersion": "auth.alauda.io/v1", "kind": "User", "metadata": ["name": .string(name)], "spec": spec]
    }

    /// A User named `name` (alice by default) with `spec`.
    package static func user(_ spec: JSONValue, name: String = "alice") -> JSONValue {
        user(name, spec)
    }

    package static func identity(provider: String = "github", user: String, reference: JSONValue) -> JSONValue {
        [
            "apiVersion": "user.openshift.io/v1", "kind": "Identity",
            "metadata": ["name": .string("\(provider):\(user)")],
            "providerName": .string(provider), "providerUserName": .string(user), "user": reference,
        ]
    }

    /// A User CREATE or UPDATE (the old object the same) with only `spec.email`: what email uniqueness reads.
    package static func userEmail(uid: String = UUID().uuidString, name: String, email: String,
                                  operation: String = "CREATE", dryRun: Bool = false) -> [UInt8]
    {
        let object = user(name, ["email": .string(email)])
        return body(uid: uid, operation: operation, name: name, object: object,
                    oldObject: operation == "UPDATE" ? object : nil, dryRun: dryRun)
    }

    /// A valid User CREATE, allowed by /validate.
    package static func allowedUser(uid: String, name: String = "bob", apiVersion: String = v1) -> [UInt8] {
        body(apiVersion: apiVersion, uid: uid, name: name,
             object: user(name, ["email": .string("\(name)@example.com"), "username": .string(name)]))
    }

    /// A User CREATE that /validate denies for `user.state`.
    package static func deniedUser(uid: String, name: String = "carol") -> [UInt8] {
        body(uid: uid, name: name, object: user(name, ["email": .string("\(name)@example.com"), "state": "sleeping"]))
    }

    /// The expected v1/v1beta1 envelope around `response`.
    package static func answer(_ apiVersion: String, _ response: JSONValue) -> JSONValue {
        ["apiVersion": .string(apiVersion), "kind": "AdmissionReview", "response": response]
    }
}

extension JSONValue {
    /// The object with `key` set (appended when new).
    package func adding(_ key: String, _ value: JSONValue) -> JSONValue {
        guard var object = objectValue else { return self }
        object[key] = value
        return .object(object)
    }

    /// The value with every object's members sorted by key, at every depth: for comparing objects that went
    /// through a writer with another member order (the apiserver, kustomize).
    package var sortedKeys: JSONValue {
        switch self {
        case .object(let object):
            .object(JSONObject(object.members.sorted { $0.key < $1.key }
                .map { .init(key: $0.key, value: $0.value.sortedKeys) }))
        case .array(let elements): .array(elements.map(\.sortedKeys))
        default: self
        }
    }

    /// The object without member `key` (order of the others kept).
    package func removing(_ key: String) -> JSONValue {
        guard var object = objectValue else { return self }
        object[key] = nil
        return .object(object)
    }
}
