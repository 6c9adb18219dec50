@testable import ClusterCache
import IdentityGuardTesting
import KubeJSON
import Testing

@Suite("Lease claims: names, times, expiry")
struct LeaseEmailClaimsTests {
    @Test("a claim's Lease is named by the SHA-256 of the normalized email, a DNS name that hides the address")
    func leaseName() {
        #expect(LeaseEmailClaims.leaseName(for: "alice@example.com")
            == "email-ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976")
        #expect(LeaseEmailClaims.leaseName(for: "alice@example.com").count == 70)
    }

    @Test("MicroTime reads and writes RFC 3339 with six fractional digits, in UTC")
    func microTime() throws {
        let time = try #require(MicroTime("2026-11-29T01:02:03.000004Z"))
        #expect(time.microseconds == 1_795_914_123_000_004)
        #expect(time.description == "2026-11-29T01:02:03.000004Z")
        #expect(MicroTime("2026-11-29T01:02:03Z")?.description == "2026-11-29T01:02:03.000000Z")
        #expect(MicroTime("2026-11-29T01:02:03.5Z")?.microseconds == 1_795_914_123_500_000)
        #expect(MicroTime("yesterday") == nil)
        #expect(MicroTime("2026-11-29 01:02:03Z") == nil)
        #expect(MicroTime("2026-11-29T01:02:03.000004+01:00") == nil)
    }

    @Test("a Lease is expired once renewTime + leaseDurationSeconds has passed; unreadable ones count as expired")
    func expiry() throws {
        let now = try #require(MicroTime("2026-11-29T01:00:30.000000Z"))
        let lease: JSONValue = ["spec": ["renewTime": "2026-11-29T01:00:00.000000Z", "leaseDurationSeconds": 30]]
        #expect(!LeaseEmailClaims.isExpired(lease, now: now))
        #expect(LeaseEmailClaims.isExpired(lease, now: MicroTime(microseconds: now.microseconds + 1)))
        #expect(LeaseEmailClaims.isExpired(["spec": ["holderIdentity": "x"]], now: now))
    }
}
