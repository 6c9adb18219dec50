#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Crypto
import SwiftASN1
import X509

/// A throwaway certificate authority made in process: what `serve --dev` serves with and what tests use.
///
/// Committed test certificates expire (Hummingbird's test CA did in 2024), and asking a new user to run
/// openssl before trying the webhook is friction; swift-certificates makes a CA and leaf certificates with
/// P-256 keys in milliseconds instead.
public struct CertificateAuthority: Sendable {
    /// A certificate and its key as PEM text.
    public struct Issued: Sendable {
        public let certificatePEM: String
        public let privateKeyPEM: String
    }

    /// What an issued certificate is for.
    public enum Usage: Sendable {
        case server
        case client
    }

    public let name: String
    public let certificatePEM: String
    private let certificate: Certificate
    private let key: P256.Signing.PrivateKey

    public init(commonName: String = "identity-guard development CA", validity: Duration = .seconds(86_400 * 30))
        throws(ServingCertificateError)
    {
        do {
            let key = P256.Signing.PrivateKey()
            let subject = try DistinguishedName {
                OrganizationName("identity-guard")
                CommonName(commonName)
            }
            let now = Date()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-300),
                notValidAfter: now.addingTimeInterval(Double(validity.components.seconds)),
                issuer: subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
                },
                issuerPrivateKey: Certificate.PrivateKey(key)
            )
            self.key = key
            self.certificate = certificate
            name = commonName
            certificatePEM = try certificate.serializeAsPEM().pemString
        } catch {
            throw ServingCertificateError(.generationFailed, "could not make a CA certificate: \(error)")
        }
    }

    /// Issues a certificate for `dnsNames` and `ipAddresses` (IPv4 dotted or IPv6 text), valid from five minutes
    /// ago for `validity`.
    public func issue(
        commonName: String,
        dnsNames: [String] = [],
        ipAddresses: [String] = [],
        usage: Usage = .server,
        validity: Duration = .seconds(86_400 * 30)
    ) throws(ServingCertificateError) -> Issued {
        do {
            let key = P256.Signing.PrivateKey()
            var names: [GeneralName] = dnsNames.map { .dnsName($0) }
            for address in ipAddresses {
                guard let bytes = Self.addressBytes(address) else {
                    throw ServingCertificateError(.generationFailed, "not an IP address: \(address)")
                }
                names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))))
            }
            let now = Date()
            let subject = try DistinguishedName { CommonName(commonName) }
            let extendedUsage: ExtendedKeyUsage.Usage = usage == .server ? .serverAuth : .clientAuth
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-300),
                notValidAfter: now.addingTimeInterval(Double(validity.components.seconds)),
                issuer: self.certificate.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([extendedUsage])
                    if !names.isEmpty { SubjectAlternativeNames(names) }
                },
                issuerPrivateKey: Certificate.PrivateKey(self.key)
            )
            return Issued(certificatePEM: try certificate.serializeAsPEM().pemString,
                          privateKeyPEM: key.pemRepresentation)
        } catch let error as ServingCertificateError {
            throw error
        } catch {
            throw ServingCertificateError(.generationFailed,
                                          "could not issue a certificate for \(commonName): \(error)")
        }
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address in text form, as a SAN `iPAddress` holds them.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
