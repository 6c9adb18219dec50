import AsyncHTTPClient
public import IdentityRules
import Logging
public import NIOCore
import NIOHTTP1
import NIOSSL

/// The few Kubernetes API calls a reflector needs — a paged list and a watch — over AsyncHTTPClient.
///
/// Not a general client: it reads lists and watch events with the engine's JSON reader (skipping
/// `managedFields`, the bulk of every object) and turns API failures into ``KubernetesError``s whose codes
/// drive the reflector (404 → kind not installed, 410 → list again).
public final class KubernetesClient: Sendable {
    /// The collection URL path of a kind: `/apis/auth.alauda.io/v1/users`.
    public struct Resource: Sendable, Hashable, CustomStringConvertible {
        public var group: String
        public var version: String
        public var plural: String

        public init(group: String, version: String, plural: String) {
            self.group = group
            self.version = version
            self.plural = plural
        }

        public static let users = Resource(group: "auth.alauda.io", version: "v1", plural: "users")
        public static let identities = Resource(group: "user.openshift.io", version: "v1", plural: "identities")

        public var path: String { group.isEmpty ? "/api/\(version)/\(plural)" : "/apis/\(group)/\(version)/\(plural)" }
        public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }
    }

    /// One page of a list.
    public struct ListPage: Sendable {
        public var items: [JSONObject]
        public var resourceVersion: String
        public var continueToken: String?
    }

    /// One event of a watch stream.
    public enum WatchEvent: Sendable {
        case added(JSONObject)
        case modified(JSONObject)
        case deleted(JSONObject)
        /// Only advances the resourceVersion.
        case bookmark(resourceVersion: String)
        /// An `ERROR` event carrying a Status (code 410: the resourceVersion is too old).
        case error(code: Int, message: String)
    }

    /// Parts of listed and watched objects no index needs.
    static let skippedInList: [[String]] = [["items", "", "metadata", "managedFields"]]
    static let skippedInEvent: [[String]] = [["object", "metadata", "managedFields"]]

    public let credentials: KubernetesCredentials
    private let http: HTTPClient

    public init(credentials: KubernetesCredentials) throws(KubernetesError) {
        self.credentials = credentials
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let roots = credentials.trustRoots { tls.trustRoots = .certificates(roots) }
        if credentials.insecureSkipTLSVerify { tls.certificateVerification = .none }
        if let chain = credentials.clientCertificate, let key = credentials.clientKey {
            tls.certificateChain = chain.map { .certificate($0) }
            tls.privateKey = .privateKey(key)
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: nil)
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    private func request(_ pathAndQuery: String) throws(KubernetesError) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: credentials.server + pathAndQuery)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "identity-guard")
        if let token = try credentials.token?.current() {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        return request
    }

    /// One page of `resource`: at most `limit` items, continuing after `continueToken`.
    public func list(_ resource: Resource, limit: Int, continueToken: String? = nil,
                     timeout: TimeAmount = .seconds(60)) async throws(KubernetesError) -> ListPage
    {
        var query = "?limit=\(limit)"
        if let continueToken { query += "&continue=\(Self.percentEncode(continueToken))" }
        let body: ByteBuffer
        do {
            let response = try await http.execute(try request(resource.path + query), timeout: timeout)
            body = try await response.body.collect(upTo: 256 * 1024 * 1024)
            try Self.check(response.status, body: body, resource: resource)
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw KubernetesError(.transport, "listing \(resource) failed: \(error)")
        }
        let document: JSONValue
        do {
            document = try JSONReader.parse(body.readableBytesView, skipping: Self.skippedInList)
        } catch {
            throw KubernetesError(.malformedResponse, "the list of \(resource) is not JSON: \(error)")
        }
        guard let items = document["items"]?.arrayValue else {
            throw KubernetesError(.malformedResponse, "the list of \(resource) has no items")
        }
        let continueValue = document["metadata"]?["continue"]?.stringValue
        return ListPage(
            items: items.compactMap(\.objectValue),
            resourceVersion: document["metadata"]?["resourceVersion"]?.stringValue ?? "",
            continueToken: continueValue?.isEmpty == false ? continueValue : nil
        )
    }

    /// Watches `resource` from `resourceVersion` with bookmarks; the stream ends when the server closes the
    /// watch (after about `timeoutSeconds`) and throws on a failure.
    public func watch(_ resource: Resource, resourceVersion: String, timeoutSeconds: Int)
        async throws(KubernetesError) -> AsyncThrowingStream<WatchEvent, any Error>
    {
        let query = "?watch=true&allowWatchBookmarks=true&resourceVersion=\(Self.percentEncode(resourceVersion))"
            + "&timeoutSeconds=\(timeoutSeconds)"
        let response: HTTPClientResponse
        do {
            response = try await http.execute(try request(resource.path + query),
                                              timeout: .seconds(Int64(timeoutSeconds) + 30))
            if response.status != .ok {
                let body = try await response.body.collect(upTo: 1024 * 1024)
                try Self.check(response.status, body: body, resource: resource)
            }
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw KubernetesError(.transport, "watching \(resource) failed: \(error)")
        }
        let body = response.body
        return AsyncThrowingStream { continuation in
            let task = Task {
                var pending: [UInt8] = []
                do {
                    for try await chunk in body {
                        pending.append(contentsOf: chunk.readableBytesView)
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = pending[..<newline]
                            if !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
                                continuation.yield(try Self.event(from: line, resource: resource))
                            }
                            pending.removeSubrange(...newline)
                        }
                    }
                    if !pending.isEmpty { continuation.yield(try Self.event(from: pending[...], resource: resource)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func event(from line: ArraySlice<UInt8>, resource: Resource) throws(KubernetesError) -> WatchEvent {
        let document: JSONValue
        do {
            document = try JSONReader.parse(line, skipping: skippedInEvent)
        } catch {
            throw KubernetesError(.malformedResponse, "a watch event of \(resource) is not JSON: \(error)")
        }
        guard let type = document["type"]?.stringValue, let object = document["object"]?.objectValue else {
            throw KubernetesError(.malformedResponse, "a watch event of \(resource) has no type or object")
        }
        switch type {
        case "ADDED": return .added(object)
        case "MODIFIED": return .modified(object)
        case "DELETED": return .deleted(object)
        case "BOOKMARK":
            return .bookmark(resourceVersion: object["metadata"]?["resourceVersion"]?.stringValue ?? "")
        case "ERROR":
            let code: Int
            if case .integer(let value)? = object["code"] { code = Int(value) } else { code = 0 }
            return .error(code: code, message: object["message"]?.stringValue ?? "")
        default:
            throw KubernetesError(.malformedResponse, "unknown watch event type \(GoQuote.quote(type))")
        }
    }

    private static func check(_ status: HTTPResponseStatus, body: ByteBuffer, resource: Resource)
        throws(KubernetesError)
    {
        guard status != .ok else { return }
        let message = (try? JSONReader.parse(body.readableBytesView))?["message"]?.stringValue
            ?? String(buffer: body).prefix(200).description
        switch status.code {
        case 404:
            throw KubernetesError(.notFound, "\(resource) is not served by the API server (is its CRD installed?): \(message)")
        case 410: throw KubernetesError(.gone, "\(resource): \(message)")
        case 401: throw KubernetesError(.unauthorized, "not authorized to read \(resource): \(message)")
        case 403: throw KubernetesError(.forbidden, "forbidden to list/watch \(resource) (RBAC?): \(message)")
        default: throw KubernetesError(.httpStatus(Int(status.code)), "\(resource): HTTP \(status.code): \(message)")
        }
    }

    /// Percent-encodes a query value (continue tokens are base64 and may hold `+`, `/`, `=`).
    static func percentEncode(_ value: String) -> String {
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return encoded
    }
}
