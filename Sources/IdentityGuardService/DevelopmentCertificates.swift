#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import WebhookServer
#if canImport(Glibc)
import Glibc
#endif

/// The files `serve --dev` serves with: a throwaway CA and a certificate for localhost, 127.0.0.1 and ::1,
/// written to a fresh private temporary directory.
public struct DevelopmentCertificates: Sendable {
    /// The CA certificate a client trusts (`curl --cacert`).
    public let authorityFile: String
    public let certificateFile: String
    public let privateKeyFile: String

    /// Makes the CA and the certificate and writes them (the key with mode 0600).
    public static func write() throws(StartupError) -> DevelopmentCertificates {
        let authority: CertificateAuthority
        let issued: CertificateAuthority.Issued
        do {
            authority = try CertificateAuthority(commonName: "identity-guard dev CA")
            issued = try authority.issue(commonName: "localhost", dnsNames: ["localhost"],
                                         ipAddresses: ["127.0.0.1", "::1"])
        } catch {
            throw StartupError(.developmentCertificate, "cannot make the development certificates: \(error)")
        }
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("identity-guard-dev-XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard let directory = mkdtemp(&buffer) else {
            throw StartupError(.developmentCertificate,
                                      "cannot create a temporary directory for the development certificates")
        }
        let path = String(cString: directory)
        let files = DevelopmentCertificates(authorityFile: path + "/ca.crt", certificateFile: path + "/tls.crt",
                                            privateKeyFile: path + "/tls.key")
        let written = FileManager.default.createFile(atPath: files.authorityFile,
                                                     contents: Data(authority.certificatePEM.utf8))
            && FileManager.default.createFile(atPath: files.certificateFile, contents: Data(issued.certificatePEM.utf8))
            && FileManager.default.createFile(atPath: files.privateKeyFile, contents: Data(issued.privateKeyPEM.utf8),
                                              attributes: [.posixPermissions: 0o600])
        guard written else {
            throw StartupError(.developmentCertificate, "cannot write the development certificates to \(path)")
        }
        return files
    }
}
