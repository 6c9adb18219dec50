import AsyncHTTPClient
public import IdentityRules
import Logging
public import NIOCore
public import NIOHTTP1
import NIOSSL
public import KubeJSON

/// The few Kubernetes API calls a watcher needs — a paged list and a watch — over AsyncHTTPClient.
///
/// Not a general client: it reads lists and watch events with the engine's JSON reader (skipping
/// `managedFields`, the bulk of every object) and turns API failures into ``KubernetesError``s whose codes
/// drive the watcher (404 → kind not installed, 410 → list again).
public final class KubernetesClient: Sendable {
    /// Parts of listed and watched objects no index needs.
    static let skippedInList: JSONSkipList = [["items", "", "metadata", "managedFields"]]
    static let skippedInEvent: JSONSkipList = [["object", "metadata", "managedFields"]]

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

    /// Starts closing the client without waiting for it: for a set-up that failed where it cannot await.
    public func shutdownWithoutWaiting() {
        _ = http.shutdown()
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

    /// One call on any API path (Leases, for email claims): the status and the parsed body, whatever the status.
    /// Throws only when no answer came (transport failure, `timeout`).
    public func send(_ method: HTTPMethod, _ pathAndQuery: String, body: JSONValue? = nil,
                     timeout: TimeAmount) async throws(KubernetesError) -> (status: Int, body: JSONValue?)
    {
        do {
            var request = try request(pathAndQuery)
            request.method = method
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(JSONWriter.serialize(body))
            }
            let response = try await http.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 4 * 1024 * 1024)
            return (Int(response.status.code), try? JSONReader.parse(bytes.readableBytesView))
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw KubernetesError(.transport, "\(method) \(pathAndQuery) failed: \(error)")
        }
    }

    /// One page of `kind`: at most `limit` items, continuing after `continueToken`.
    public func list(_ kind: ResourceKind, limit: Int, continueToken: String? = nil,
                     timeout: TimeAmount = .seconds(60)) async throws(KubernetesError) -> ListPage
    {
        var query = "?limit=\(limit)"
        if let continueToken { query += "&continue=\(Self.percentEncode(continueToken))" }
        let body: ByteBuffer
        do {
            let response = try await http.execute(try request(kind.collectionPath + query), timeout: timeout)
            body = try await response.body.collect(upTo: 256 * 1024 * 1024)
            try Self.check(response.status, body: body, kind: kind)
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw KubernetesError(.transport, "listing \(kind.qualifiedResource) failed: \(error)")
        }
        let document: JSONValue
        do {
            document = try JSONReader.parse(body.readableBytesView, skipping: Self.skippedInList)
        } catch {
            throw KubernetesError(.malformedResponse, "the list of \(kind.qualifiedResource) is not JSON: \(error)")
        }
        guard let items = document["items"]?.arrayValue else {
            throw KubernetesError(.malformedResponse, "the list of \(kind.qualifiedResource) has no items")
        }
        let continueValue = document["metadata"]?["continue"]?.stringValue
        return ListPage(
            items: items.compactMap(\.objectValue),
            resourceVersion: document["metadata"]?["resourceVersion"]?.stringValue ?? "",
            continueToken: continueValue?.isEmpty == false ? continueValue : nil
        )
    }

    /// Watches `kind` from `resourceVersion` with bookmarks; the stream ends when the server closes the
    /// watch (after about `timeoutSeconds`) and throws on a failure.
    public func watch(_ kind: ResourceKind, resourceVersion: String, timeoutSeconds: Int)
        async throws(KubernetesError) -> AsyncThrowingStream<WatchEvent, any Error>
    {
        let query = "?watch=true&allowWatchBookmarks=true&resourceVersion=\(Self.percentEncode(resourceVersion))"
            + "&timeoutSeconds=\(timeoutSeconds)"
        let response: HTTPClientResponse
        do {
            response = try await http.execute(try request(kind.collectionPath + query),
                                              timeout: .seconds(Int64(timeoutSeconds) + 30))
            if response.status != .ok {
                let body = try await response.body.collect(upTo: 1024 * 1024)
                try Self.check(response.status, body: body, kind: kind)
            }
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw KubernetesError(.transport, "watching \(kind.qualifiedResource) failed: \(error)")
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
                                continuation.yield(try Self.event(from: line, kind: kind))
                            }
                            pending.removeSubrange(...newline)
                        }
                    }
                    if !pending.isEmpty { continuation.yield(try Self.event(from: pending[...], kind: kind)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func event(from line: ArraySlice<UInt8>, kind: ResourceKind) throws(KubernetesError) -> WatchEvent {
        let document: JSONValue
        do {
            document = try JSONReader.parse(line, skipping: skippedInEvent)
        } catch {
            throw KubernetesError(.malformedResponse,
                                  "a watch event of \(kind.qualifiedResource) is not JSON: \(error)")
        }
        guard let type = document["type"]?.stringValue, let object = document["object"]?.objectValue else {
            throw KubernetesError(.malformedResponse,
                                  "a watch event of \(kind.qualifiedResource) has no type or object")
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

    private static func check(_ status: HTTPResponseStatus, body: ByteBuffer, kind: ResourceKind)
        throws(KubernetesError)
    {
        guard status != .ok else { return }
        let message = (try? JSONReader.parse(body.readableBytesView))?["message"]?.stringValue
            ?? String(buffer: body).prefix(200).description
        switch status.code {
        case 404:
            throw KubernetesError(.notFound, "\(kind.qualifiedResource) is not served by the API server "
                                  + "(is its CRD installed?): \(message)")
        case 410: throw KubernetesError(.gone, "\(kind.qualifiedResource): \(message)")
        case 401: throw KubernetesError(.unauthorized, "not authorized to read \(kind.qualifiedResource): \(message)")
        case 403:
            throw KubernetesError(.forbidden, "forbidden to list/watch \(kind.qualifiedResource) (RBAC?): \(message)")
        default:
            throw KubernetesError(.httpStatus(Int(status.code)),
                                  "\(kind.qualifiedResource): HTTP \(status.code): \(message)")
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
