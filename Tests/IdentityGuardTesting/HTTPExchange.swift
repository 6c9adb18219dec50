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

/// An HTTP client configuration that trusts the test CA (and presents `clientCertificate` when given).
package func clientConfiguration(
    trusting pki: TestPKI,
    clientCertificate: CertificateAuthority.Issued? = nil,
    httpVersion: HTTPClient.Configuration.HTTPVersion = .automatic
) throws -> HTTPClient.Configuration {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .certificates([try pki.caCertificate])
    if let clientCertificate {
        tls.certificateChain = [.certificate(try clientCertificate.nioCertificate)]
        tls.privateKey = .privateKey(try clientCertificate.nioPrivateKey)
    }
    var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
    configuration.httpVersion = httpVersion
    configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
    return configuration
}

/// Runs `body` with a new HTTP client, which is shut down afterwards whatever happens.
@discardableResult
package func withHTTPClient<T>(
    _ configuration: HTTPClient.Configuration,
    _ body: (HTTPClient) async throws -> T
) async throws -> T {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    let result: T
    do {
        result = try await body(client)
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
    return result
}

/// One HTTP exchange's result.
package struct Reply: Sendable {
    package var status: HTTPResponseStatus
    package var headers: HTTPHeaders
    package var version: HTTPVersion
    package var bytes: [UInt8]

    package var text: String { String(decoding: bytes, as: UTF8.self) }
    package var json: JSONValue {
        get throws { try JSONReader.parse(bytes) }
    }
}

/// Sends one request with `client` to `url`.
package func send(
    _ client: HTTPClient,
    _ url: String,
    method: HTTPMethod = .POST,
    body: [UInt8]? = nil,
    contentType: String? = "application/json"
) async throws -> Reply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
    if let body { request.body = .bytes(body) }
    return try await send(client, request)
}

package func send(_ client: HTTPClient, _ request: HTTPClientRequest) async throws -> Reply {
    let response = try await client.execute(request, timeout: .seconds(15))
    let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
    return Reply(status: response.status, headers: response.headers, version: response.version,
                 bytes: Array(body.readableBytesView))
}
