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

/// A certificate authority made for one test, with its files in a private temporary directory.
package struct TestPKI: Sendable {
    package let directory: URL
    package let authority: CertificateAuthority
    /// The CA certificate as PEM, in `directory`.
    package let caFile: String

    package init(caName: String = "identity-guard test CA") throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("identity-guard-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        authority = try CertificateAuthority(commonName: caName)
        caFile = directory.appendingPathComponent("ca.crt").path
        try Self.atomicWrite(authority.certificatePEM, to: caFile)
    }

    /// A serving certificate for `localhost` and `127.0.0.1`.
    package func issueServer(_ commonName: String, validity: Duration = .seconds(86_400 * 30)) throws
        -> CertificateAuthority.Issued
    {
        try authority.issue(commonName: commonName, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"],
                            usage: .server, validity: validity)
    }

    /// A client certificate for mTLS.
    package func issueClient(_ commonName: String) throws -> CertificateAuthority.Issued {
        try authority.issue(commonName: commonName, usage: .client)
    }

    /// The CA certificate, to trust.
    package var caCertificate: NIOSSLCertificate {
        get throws { try NIOSSLCertificate(bytes: Array(authority.certificatePEM.utf8), format: .pem) }
    }

    /// Writes `pair` as `tls.crt` and `tls.key` in `subdirectory` of the PKI's directory (each file written to a
    /// temporary name and renamed over, as an atomic writer does) and returns the two paths.
    @discardableResult
    package func install(_ pair: CertificateAuthority.Issued, in subdirectory: String = "serving") throws
        -> (certificate: String, key: String)
    {
        try install(certificatePEM: pair.certificatePEM, keyPEM: pair.privateKeyPEM, in: subdirectory)
    }

    @discardableResult
    package func install(certificatePEM: String, keyPEM: String, in subdirectory: String = "serving") throws
        -> (certificate: String, key: String)
    {
        let folder = directory.appendingPathComponent(subdirectory, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = folder.appendingPathComponent("tls.crt").path
        let key = folder.appendingPathComponent("tls.key").path
        try Self.atomicWrite(certificatePEM, to: certificate)
        try Self.atomicWrite(keyPEM, to: key)
        return (certificate, key)
    }

    /// Writes `text` next to `path` and renames it over `path`.
    package static func atomicWrite(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(UUID().uuidString)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        try rename(from: temporary, to: path)
    }

    /// POSIX `rename(2)`: atomically replaces `to` (a file or a symlink) by `from`.
    package static func rename(from: String, to: String) throws {
        #if canImport(Glibc)
        let result = Glibc.rename(from, to)
        #else
        let result = Darwin.rename(from, to)
        #endif
        guard result == 0 else { throw TestFailure("rename \(from) → \(to) failed: errno \(errno)") }
    }

    package func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

extension CertificateAuthority.Issued {
    /// The certificate's DER bytes, to compare with what a handshake presented.
    package var der: [UInt8] {
        get throws { try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem).toDERBytes() }
    }

    package var nioCertificate: NIOSSLCertificate {
        get throws { try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem) }
    }

    package var nioPrivateKey: NIOSSLPrivateKey {
        get throws { try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem) }
    }

    /// A TLS 1.2+ server configuration serving this pair.
    package var serverTLS: TLSConfiguration {
        get throws {
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(try nioCertificate)],
                                                               privateKey: .privateKey(try nioPrivateKey))
            tls.minimumTLSVersion = .tlsv12
            return tls
        }
    }
}
