import KubeJSON
import ClusterCache
import Foundation
import IdentityRules
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A Kubernetes API server for `users.auth.alauda.io` that speaks the real list/watch protocol over HTTPS.
///
/// `GET /apis/auth.alauda.io/v1/users` serves paged lists (`limit` + `continue`, consistent snapshots: the
/// continue token encodes the snapshot's resourceVersion and the offset) and watches (`watch=true`: a chunked
/// stream of newline-delimited events — the logged events after the requested resourceVersion, then live ones,
/// with bookmarks, until `timeoutSeconds`). Switches make it misbehave the way real API servers do: an expired
/// continue token (410), a compacted resourceVersion (an `ERROR` event with a 410 Status), a watch answered with
/// HTTP 410, a dropped watch connection, slow responses, and a CRD that is not installed (404).
package final class FakeAPIServer: Sendable {
    package static let path = "/apis/auth.alauda.io/v1/users"

    /// A stored User.
    package struct User: Sendable {
        package var name: String
        package var email: String?
        package var resourceVersion: Int
        package var uid: String
    }

    /// Test switches.
    package struct Switches: Sendable {
        /// Every request answers 404, as when the CRD is not installed.
        package var notFound = false
        /// The next list request with a continue token answers 410 Expired.
        package var expireNextContinue = false
        /// The next watch request answers HTTP 410 (instead of a 200 with an ERROR event).
        package var goneOnNextWatch = false
        /// Lists wait while this is set (to observe a cache that has not synced yet).
        package var holdLists = false
        /// Every response waits this long before its head; list bodies also arrive in slow chunks.
        package var delay: Duration = .zero
        /// The bearer token requests must carry (401 otherwise).
        package var token = "test-token"
    }

    /// What the server was asked.
    package struct Requests: Sendable {
        /// Every request, whatever its answer.
        package var total = 0
        package var lists = 0
        package var continued = 0
        package var listLimits: [Int?] = []
        package var watches = 0
        /// The `resourceVersion` of each watch request, in order.
        package var watchResourceVersions: [String] = []
        /// Each distinct `Authorization` header seen (with "<none>" for a request without one).
        package var authorizations: Set<String> = []
    }

    private enum WatchChunk: Sendable {
        case bytes(ByteBuffer)
        case drop
    }

    private struct DroppedConnection: Error {}

    /// A value, or the response that refuses the request.
    private enum Outcome<Value> {
        case value(Value)
        case refused(Response)
    }

    /// What one request is answered with: JSON, whole or written chunk by chunk.
    private struct Response: Sendable {
        /// Writes one chunk of a streamed body.
        typealias Write = @Sendable (ByteBuffer) async throws -> Void

        enum Body: Sendable {
            case whole(ByteBuffer)
            /// Chunked; throwing ``DroppedConnection`` drops the connection mid-body.
            case stream(@Sendable (Write) async throws -> Void)
        }

        var status: HTTPResponseStatus
        var body: Body
    }

    /// A request's query parameters, percent-decoded.
    private typealias Parameters = [String: String]

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private struct State {
        package var users: [String: User] = [:]
        package var resourceVersion = 1000
        /// Watch events by resourceVersion, as complete lines.
        package var log: [(resourceVersion: Int, line: ByteBuffer)] = []
        /// Watches from a resourceVersion older than this get a 410 `ERROR` event.
        package var compactedBefore = 0
        package var snapshots: [Int: [User]] = [:]
        package var watchers: [Int: AsyncStream<WatchChunk>.Continuation] = [:]
        package var nextWatcher = 0
        package var stopping = false
        package var switches = Switches()
        package var requests = Requests()
    }

    /// The CA that issued the server's certificate: what a client trusts.
    package let pki: TestPKI
    private let state: Locked<State>
    private let port: Int
    private let task: Task<Void, any Error>

    private init(pki: TestPKI, state: Locked<State>, port: Int, task: Task<Void, any Error>) {
        self.pki = pki
        self.state = state
        self.port = port
        self.task = task
    }

    package var url: String { "https://127.0.0.1:\(port)" }

    /// Credentials for this server: its CA and the token it expects.
    package func credentials(token: String = "test-token") throws -> KubernetesCredentials {
        KubernetesCredentials(server: url, trustRoots: [try pki.caCertificate], token: .literal(token),
                              source: "test")
    }

    /// Starts a server on an ephemeral port of 127.0.0.1 and waits until it listens.
    package static func start() async throws -> FakeAPIServer {
        let pki = try TestPKI(caName: "fake-apiserver CA")
        let serving = try pki.issueServer("fake-apiserver")
        let state = Locked(State())
        let context = try NIOSSLContext(configuration: try serving.serverTLS)
        let listener: NIOAsyncChannel<Connection, Never>
        do {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: "127.0.0.1", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            pki.remove()
            throw TestFailure("the fake API server did not start listening: \(error)")
        }
        let port = listener.channel.localAddress?.port ?? 0
        let task = Task {
            try await withThrowingDiscardingTaskGroup { connections in
                try await listener.executeThenClose { accepted in
                    for try await connection in accepted {
                        connections.addTask { await Self.serve(connection, state: state) }
                    }
                }
            }
        }
        return FakeAPIServer(pki: pki, state: state, port: port, task: task)
    }

    /// Ends every watch, closes the listener and every connection, and waits.
    package func stop() async {
        state.withLock { state in
            state.stopping = true
            for continuation in state.watchers.values { continuation.finish() }
            state.watchers = [:]
        }
        task.cancel()
        _ = try? await task.value
        pki.remove()
    }

    // MARK: - Test API

    package func configure(_ change: (inout Switches) -> Void) {
        state.withLock { change(&$0.switches) }
    }

    package var requests: Requests { state.withLock { $0.requests } }

    package var resourceVersion: Int { state.withLock { $0.resourceVersion } }

    package var openWatches: Int { state.withLock { $0.watchers.count } }

    /// Stores `count` Users `user-00000`… with emails `user-00000@example.com`… as created before any watch
    /// (no events; watching from before them is too old).
    package func seed(_ count: Int, prefix: String = "user") {
        state.withLock { state in
            for number in 0..<count {
                state.resourceVersion += 1
                let name = String(format: "%@-%05d", prefix, number)
                state.users[name] = User(name: name, email: "\(name)@example.com",
                                         resourceVersion: state.resourceVersion, uid: UUID().uuidString.lowercased())
            }
            state.compactedBefore = state.resourceVersion
        }
    }

    /// Creates a User (an `ADDED` event); returns its resourceVersion. With `broadcast` false, open watches do not
    /// see the event (it is still logged for later watches).
    @discardableResult
    package func add(_ name: String, email: String?, broadcast: Bool = true) -> Int {
        change("ADDED", broadcast: broadcast) { state in
            User(name: name, email: email, resourceVersion: state.resourceVersion, uid: UUID().uuidString.lowercased())
        }
    }

    /// Changes a User's email (a `MODIFIED` event); returns its resourceVersion.
    @discardableResult
    package func modify(_ name: String, email: String?) -> Int {
        change("MODIFIED", broadcast: true) { state in
            var user = state.users[name] ?? User(name: name, email: nil, resourceVersion: 0, uid: UUID().uuidString)
            user.email = email
            user.resourceVersion = state.resourceVersion
            return user
        }
    }

    /// Deletes a User (a `DELETED` event with its last state); returns the event's resourceVersion.
    @discardableResult
    package func delete(_ name: String) -> Int {
        change("DELETED", broadcast: true) { state in
            var user = state.users[name] ?? User(name: name, email: nil, resourceVersion: 0, uid: UUID().uuidString)
            user.resourceVersion = state.resourceVersion
            return user
        }
    }

    private func change(_ type: String, broadcast: Bool, _ make: (State) -> User) -> Int {
        state.withLock { state in
            state.resourceVersion += 1
            let user = make(state)
            if type == "DELETED" { state.users[user.name] = nil } else { state.users[user.name] = user }
            let line = Self.line(["type": .string(type), "object": Self.object(user)])
            state.log.append((state.resourceVersion, line))
            if broadcast {
                for continuation in state.watchers.values { continuation.yield(.bytes(line)) }
            }
            return state.resourceVersion
        }
    }

    /// Other kinds changed (the resourceVersion advances) and every open watch gets a `BOOKMARK` with the new
    /// resourceVersion; returns it.
    @discardableResult
    package func bookmark() -> Int {
        state.withLock { state in
            state.resourceVersion += 1
            let line = Self.line([
                "type": "BOOKMARK",
                "object": ["kind": "User", "apiVersion": "auth.alauda.io/v1",
                           "metadata": ["resourceVersion": .string("\(state.resourceVersion)")]],
            ])
            for continuation in state.watchers.values { continuation.yield(.bytes(line)) }
            return state.resourceVersion
        }
    }

    /// Compacts the history: the resourceVersion advances and watches from anything older get a 410 `ERROR`
    /// event; returns the compaction point.
    @discardableResult
    package func compact() -> Int {
        state.withLock { state in
            state.resourceVersion += 1
            state.compactedBefore = state.resourceVersion
            state.log.removeAll { $0.resourceVersion < state.compactedBefore }
            return state.resourceVersion
        }
    }

    /// Ends every open watch cleanly (as the server does at `timeoutSeconds`).
    package func endWatches() {
        state.withLock { state in
            for continuation in state.watchers.values { continuation.finish() }
            state.watchers = [:]
        }
    }

    /// Drops every open watch connection abruptly, in the middle of its chunked body.
    package func dropWatches() {
        state.withLock { state in
            for continuation in state.watchers.values {
                continuation.yield(.drop)
                continuation.finish()
            }
            state.watchers = [:]
        }
    }

    // MARK: - Serving

    /// Answers the requests of one connection in turn; closes it when a body drops it or the server stops.
    private static func serve(_ connection: Connection, state: Locked<State>) async {
        try? await connection.executeThenClose { requests, responses in
            var head: HTTPRequestHead?
            for try await part in requests {
                switch part {
                case .head(let started):
                    head = started
                case .body:
                    break
                case .end:
                    guard let request = head else { continue }
                    head = nil
                    try await write(try await respond(to: request, state: state), to: responses)
                    if !request.isKeepAlive { return }
                }
            }
        }
    }

    private static func write(_ response: Response, to responses: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>)
        async throws
    {
        var headers: HTTPHeaders = ["content-type": "application/json"]
        switch response.body {
        case .whole(let body):
            headers.add(name: "content-length", value: String(body.readableBytes))
            try await responses.write(.head(HTTPResponseHead(version: .http1_1, status: response.status,
                                                             headers: headers)))
            try await responses.write(.body(.byteBuffer(body)))
        case .stream(let produce):
            // Without a length NIO frames the body as chunks.
            try await responses.write(.head(HTTPResponseHead(version: .http1_1, status: response.status,
                                                             headers: headers)))
            try await produce { chunk in try await responses.write(.body(.byteBuffer(chunk))) }
        }
        try await responses.write(.end(nil))
    }

    /// The query of a request target, percent-decoded.
    private static func parameters(_ uri: String) -> Parameters {
        guard let start = uri.firstIndex(of: "?") else { return [:] }
        var parameters: Parameters = [:]
        for pair in uri[uri.index(after: start)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in String(part).removingPercentEncoding ?? String(part) }
            parameters[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return parameters
    }

    private static func respond(to request: HTTPRequestHead, state: Locked<State>) async throws -> Response {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard request.method == .GET, path == Self.path else {
            return Response(status: .notFound, body: .whole(ByteBuffer()))
        }
        let query = parameters(request.uri)
        let authorization = request.headers.first(name: "authorization") ?? "<none>"
        let isWatch = query["watch"] == "true" || query["watch"] == "1"
        let (switches, notFound) = state.withLock { state -> (Switches, Bool) in
            state.requests.total += 1
            state.requests.authorizations.insert(authorization)
            return (state.switches, state.switches.notFound)
        }
        if switches.delay > .zero { try await Task.sleep(for: switches.delay) }
        if notFound {
            return status(404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        guard authorization == "Bearer \(switches.token)" else {
            return status(401, reason: "Unauthorized", message: "Unauthorized")
        }
        if isWatch {
            return watch(query: query, state: state)
        }
        return try await list(query: query, state: state, delay: switches.delay)
    }

    private static func list(query: Parameters, state: Locked<State>, delay: Duration) async throws -> Response {
        let limit = query["limit"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        let token = query["continue"].flatMap { $0.isEmpty ? nil : $0 }
        state.withLock { state in
            state.requests.lists += 1
            state.requests.listLimits.append(limit)
            if token != nil { state.requests.continued += 1 }
        }
        while state.withLock({ $0.switches.holdLists && !$0.stopping }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let page: Outcome<(items: ArraySlice<User>, resourceVersion: Int, next: String?, remaining: Int)> =
            state.withLock { state in
                var snapshotVersion = state.resourceVersion
                var offset = 0
                if let token {
                    if state.switches.expireNextContinue {
                        state.switches.expireNextContinue = false
                        return .refused(status(
                            410, reason: "Expired",
                            message: "The provided continue parameter is too old to display a consistent list "
                                + "result. You can start a new list without the continue parameter, or use the "
                                + "continue token in this response to retrieve the remainder of the results. "
                                + "Continuing with the provided token results in an inconsistent list - objects "
                                + "that were created, modified, or deleted between the time the first chunk was "
                                + "returned and now may show up in the list.",
                            continueToken: token))
                    }
                    guard let decoded = decodeContinue(token), state.snapshots[decoded.resourceVersion] != nil else {
                        return .refused(status(400, reason: "BadRequest", message: "continue key is not valid"))
                    }
                    (snapshotVersion, offset) = decoded
                } else {
                    state.snapshots[snapshotVersion] = state.users.values.sorted { $0.name < $1.name }
                }
                let snapshot = state.snapshots[snapshotVersion] ?? []
                let end = limit.map { min(snapshot.count, offset + $0) } ?? snapshot.count
                let next = end < snapshot.count ? encodeContinue(resourceVersion: snapshotVersion, offset: end) : nil
                return .value((snapshot[min(offset, snapshot.count)..<end], snapshotVersion, next,
                                 snapshot.count - end))
            }
        switch page {
        case .refused(let response):
            return response
        case .value(let page):
            var metadata = JSONObject([.init(key: "resourceVersion", value: .string("\(page.resourceVersion)"))])
            if let next = page.next {
                metadata["continue"] = .string(next)
                metadata["remainingItemCount"] = .integer(Int64(page.remaining))
            }
            var buffer = ByteBuffer(string: #"{"kind":"UserList","apiVersion":"auth.alauda.io/v1","metadata":"#)
            buffer.writeBytes(JSONWriter.serialize(.object(metadata)))
            buffer.writeString(#","items":["#)
            for (position, user) in page.items.enumerated() {
                if position > 0 { buffer.writeString(",") }
                buffer.writeBytes(JSONWriter.serialize(object(user)))
            }
            buffer.writeString("]}\n")
            let body = buffer
            guard delay > .zero else { return Response(status: .ok, body: .whole(body)) }
            // Slow: the body arrives in four chunks.
            let chunkSize = max(1, body.readableBytes / 4 + 1)
            return Response(status: .ok, body: .stream { write in
                var rest = body
                while let chunk = rest.readSlice(length: min(chunkSize, rest.readableBytes)), chunk.readableBytes > 0 {
                    try await write(chunk)
                    try await Task.sleep(for: delay / 4)
                }
            })
        }
    }

    private static func watch(query: Parameters, state: Locked<State>) -> Response {
        let requested = query["resourceVersion"] ?? ""
        let timeout = query["timeoutSeconds"].flatMap { Int($0) } ?? 1800
        let (stream, continuation) = AsyncStream.makeStream(of: WatchChunk.self)
        let opened: Outcome<Int?> = state.withLock { state in
            state.requests.watches += 1
            state.requests.watchResourceVersions.append(requested)
            if state.switches.goneOnNextWatch {
                state.switches.goneOnNextWatch = false
                return .refused(status(410, reason: "Expired", message: "too old resource version: \(requested)"))
            }
            let from = Int(requested) ?? state.resourceVersion
            if from < state.compactedBefore {
                let error = line([
                    "type": "ERROR",
                    "object": statusObject(410, reason: "Expired", message:
                        "too old resource version: \(from) (\(state.compactedBefore))"),
                ])
                continuation.yield(.bytes(error))
                continuation.finish()
                return .value(nil)
            }
            for event in state.log where event.resourceVersion > from { continuation.yield(.bytes(event.line)) }
            if state.stopping {
                continuation.finish()
                return .value(nil)
            }
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = continuation
            return .value(id)
        }
        let id: Int?
        switch opened {
        case .refused(let response): return response
        case .value(let watcher): id = watcher
        }
        return Response(status: .ok, body: .stream { write in
            let timer = Task {
                try await Task.sleep(for: .seconds(timeout))
                continuation.finish()
            }
            defer {
                timer.cancel()
                if let id { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
            }
            for await chunk in stream {
                switch chunk {
                case .bytes(let bytes): try await write(bytes)
                case .drop: throw DroppedConnection()
                }
            }
        })
    }

    // MARK: - Wire format

    package static func encodeContinue(resourceVersion: Int, offset: Int) -> String {
        let token: JSONValue = ["v": "meta.k8s.io/v1", "rv": .integer(Int64(resourceVersion)),
                                "offset": .integer(Int64(offset))]
        return Data(JSONWriter.serialize(token)).base64EncodedString()
    }

    package static func decodeContinue(_ token: String) -> (resourceVersion: Int, offset: Int)? {
        guard let data = Data(base64Encoded: token), let value = try? JSONReader.parse(Array(data)),
            case .integer(let resourceVersion)? = value["rv"], case .integer(let offset)? = value["offset"]
        else { return nil }
        return (Int(resourceVersion), Int(offset))
    }

    private static func line(_ value: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: JSONWriter.serialize(value))
        buffer.writeString("\n")
        return buffer
    }

    package static func statusObject(_ code: Int, reason: String, message: String, continueToken: String? = nil) -> JSONValue {
        var metadata = JSONObject()
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return ["kind": "Status", "apiVersion": "v1", "metadata": .object(metadata), "status": "Failure",
                "message": .string(message), "reason": .string(reason), "code": .integer(Int64(code))]
    }

    private static func status(_ code: Int, reason: String, message: String, continueToken: String? = nil)
        -> Response
    {
        Response(status: HTTPResponseStatus(statusCode: code),
                 body: .whole(ByteBuffer(bytes: JSONWriter.serialize(
                     statusObject(code, reason: reason, message: message, continueToken: continueToken)))))
    }

    /// A User as the API server stores it, with the metadata real ones carry (managedFields is most of it).
    package static func object(_ user: User) -> JSONValue {
        var spec = JSONObject([
            .init(key: "account", value: .string(user.name)),
            .init(key: "connector_id", value: "corp-ldap"),
            .init(key: "connector_name", value: "Corporate LDAP"),
            .init(key: "connector_type", value: "ldap"),
        ])
        if let email = user.email { spec["email"] = .string(email) }
        spec["groups"] = ["developers", "platform"]
        spec["is_admin"] = false
        spec["is_disabled"] = false
        spec["state"] = "active"
        spec["username"] = .string(user.name)
        spec["valid"] = true
        let fieldsV1: JSONValue = [
            "f:metadata": [
                "f:annotations": [".": [:], "f:cpaas.io/creator": [:], "f:cpaas.io/display-name": [:]],
                "f:labels": [".": [:], "f:auth.cpaas.io/user.connector_id": [:],
                             "f:auth.cpaas.io/user.connector_type": [:], "f:auth.cpaas.io/user.state": [:],
                             "f:auth.cpaas.io/user.username": [:]],
            ],
            "f:spec": [".": [:], "f:account": [:], "f:connector_id": [:], "f:connector_name": [:],
                       "f:connector_type": [:], "f:email": [:], "f:groups": [:], "f:is_admin": [:],
                       "f:is_disabled": [:], "f:state": [:], "f:username": [:], "f:valid": [:]],
        ]
        let managedFields: JSONValue = [
            ["apiVersion": "auth.alauda.io/v1", "fieldsType": "FieldsV1", "fieldsV1": fieldsV1, "manager": "dex",
             "operation": "Update", "time": "2024-05-06T07:08:09Z"],
            ["apiVersion": "auth.alauda.io/v1", "fieldsType": "FieldsV1",
             "fieldsV1": ["f:spec": ["f:last_login_time": [:]]], "manager": "apollo", "operation": "Update",
             "time": "2024-06-01T10:11:12Z"],
        ]
        return [
            "apiVersion": "auth.alauda.io/v1",
            "kind": "User",
            "metadata": [
                "annotations": ["cpaas.io/creator": "admin@cpaas.io", "cpaas.io/display-name": .string(user.name)],
                "creationTimestamp": "2024-05-06T07:08:09Z",
                "generation": .integer(1),
                "labels": ["auth.cpaas.io/user.connector_id": "corp-ldap",
                           "auth.cpaas.io/user.connector_type": "ldap", "auth.cpaas.io/user.state": "active",
                           "auth.cpaas.io/user.username": .string(user.name)],
                "managedFields": managedFields,
                "name": .string(user.name),
                "resourceVersion": .string("\(user.resourceVersion)"),
                "uid": .string(user.uid),
            ],
            "spec": .object(spec),
            "status": [:],
        ]
    }
}
