#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import NIOSSL
import X509
import SwiftASN1
import Crypto

/// A certificate chain and its private key, checked to belong together, ready for the TLS handshake.
///
/// Loaded from PEM files (the chain may hold intermediates after the leaf). A pair whose key does not match
/// the leaf's public key is refused here, so that a half-rotated Secret never reaches a handshake.
public struct ServingCertificate: Sendable {
    public let chain: [NIOSSLCertificate]
    public let privateKey: NIOSSLPrivateKey
    /// The leaf's expiry, for the `identity_guard_certificate_expiry_timestamp_seconds` gauge.
    public let notValidAfter: Date
    /// The leaf's subject, for logs.
    public let subject: String
    /// A digest of the PEM bytes, to notice a change of the files.
    let fingerprint: [UInt8]

    /// Parses and checks a PEM chain and key.
    public init(certificatePEM: [UInt8], privateKeyPEM: [UInt8]) throws(ServingCertificateError) {
        let certificateText = String(decoding: certificatePEM, as: UTF8.self)
        let keyText = String(decoding: privateKeyPEM, as: UTF8.self)
        let leaf: Certificate
        do {
            let pems = try PEMDocument.parseMultiple(pemString: certificateText)
                .filter { $0.discriminator == "CERTIFICATE" }
            guard let first = pems.first else {
                throw ServingCertificateError(.invalidCertificate,
                                              "the certificate file holds no PEM CERTIFICATE block")
            }
            leaf = try Certificate(pemDocument: first)
        } catch let error as ServingCertificateError {
            throw error
        } catch {
            throw ServingCertificateError(.invalidCertificate,
                                          "the certificate file is not a valid PEM certificate: \(error)")
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            throw ServingCertificateError(.invalidPrivateKey, "the key file is not a valid PEM private key "
                                          + "(PKCS#8, SEC1 or PKCS#1): \(error)")
        }
        guard key.publicKey == leaf.publicKey else {
            throw ServingCertificateError(.keyMismatch, "the private key does not match the certificate "
                + "\(leaf.subject) (a half-rotated certificate Secret?)")
        }
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificatePEM)
            privateKey = try NIOSSLPrivateKey(bytes: privateKeyPEM, format: .pem)
        } catch {
            throw ServingCertificateError(.invalidCertificate, "TLS could not load the pair: \(error)")
        }
        notValidAfter = leaf.notValidAfter
        subject = String(describing: leaf.subject)
        fingerprint = ServingCertificate.digest(certificatePEM, privateKeyPEM)
    }

    /// Reads the pair from PEM files.
    public init(certificateFile: String, privateKeyFile: String) throws(ServingCertificateError) {
        let files = try Self.read(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        try self.init(certificatePEM: files.certificate, privateKeyPEM: files.key)
    }

    static func read(certificateFile: String, privateKeyFile: String) throws(ServingCertificateError)
        -> (certificate: [UInt8], key: [UInt8])
    {
        func load(_ path: String, _ what: String) throws(ServingCertificateError) -> [UInt8] {
            do {
                return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw ServingCertificateError(.unreadable, "cannot read the \(what) file \(path): \(error)")
            }
        }
        return (try load(certificateFile, "certificate"), try load(privateKeyFile, "private key"))
    }

    /// A digest of both files' bytes: enough to notice that they changed.
    static func digest(_ certificate: [UInt8], _ key: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: certificate)
        hasher.update(data: key)
        return Array(hasher.finalize())
    }
}
