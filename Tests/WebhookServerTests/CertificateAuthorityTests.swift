import IdentityGuardTesting
import SwiftASN1
import Testing
import WebhookServer
import X509

@Suite("Certificate authority")
struct CertificateAuthorityTests {
    @Test("issued certificates carry DNS names and IPv4/IPv6 addresses as SANs")
    func subjectAlternativeNames() throws {
        let authority = try CertificateAuthority()
        let issued = try authority.issue(commonName: "localhost", dnsNames: ["localhost"],
                                         ipAddresses: ["127.0.0.1", "::1", "fd00::1:2"])
        let certificate = try Certificate(pemEncoded: issued.certificatePEM)
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(Array(names) == [
            .dnsName("localhost"),
            .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
            .ipAddress(ASN1OctetString(contentBytes: ArraySlice(Array(repeating: 0, count: 15) + [1]))),
            .ipAddress(ASN1OctetString(contentBytes: [0xFD, 0] + ArraySlice(Array(repeating: 0, count: 11)) + [1, 0, 2])),
        ])
        #expect {
            _ = try authority.issue(commonName: "x", ipAddresses: ["not-an-ip"])
        } throws: { error in
            String(describing: error) == "not an IP address: not-an-ip"
        }
    }
}
