@testable import ClusterCache
import SystemSupport
import IdentityRules
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
        let json: JSONValue = [
            "metadata": ["name": "email-x"],
            "spec": ["renewTime": "2026-11-29T01:00:00.000000Z", "leaseDurationSeconds": 30],
        ]
        let lease = try #require(Lease(json: json))
        #expect(!lease.isExpired(now: now))
        #expect(lease.isExpired(now: MicroTime(microseconds: now.microseconds + 1)))
        #expect(try #require(Lease(json: ["metadata": ["name": "x"], "spec": ["holderIdentity": "x"]]))
            .isExpired(now: now))
        let untyped: JSONValue = ["metadata": ["name": "x"], "spec": ["renewTime": "2026-11-29T01:00:00.000000Z",
                                                                     "leaseDurationSeconds": "30"]]
        #expect(try #require(Lease(json: untyped)).isExpired(now: now))
    }

    @Test("a Lease decodes the fields claims use from the apiserver's JSON, and nothing without a name")
    func decode() throws {
        let json: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "email-ab", "namespace": "identity-guard", "resourceVersion": "4711",
                         "uid": "u-1", "labels": ["app.kubernetes.io/managed-by": "identity-guard"]],
            "spec": ["holderIdentity": "alice", "leaseDurationSeconds": 30,
                     "acquireTime": "2026-11-29T01:00:00.000001Z", "renewTime": "2026-11-29T01:00:10.000002Z"],
        ]
        #expect(Lease(json: json) == Lease(
            name: "email-ab", namespace: "identity-guard", resourceVersion: "4711", holderIdentity: "alice",
            acquireTime: MicroTime(microseconds: 1_795_914_000_000_001),
            renewTime: MicroTime(microseconds: 1_795_914_010_000_002), leaseDurationSeconds: 30))
        #expect(Lease(json: ["spec": ["holderIdentity": "alice"]]) == nil)
        #expect(Lease(json: "a string") == nil)
    }

    @Test("a Lease encodes to exactly the object the apiserver is sent, and reads back to itself")
    func encode() throws {
        let time = MicroTime(microseconds: 1_795_914_000_000_001)
        let lease = Lease(name: "email-ab", namespace: "identity-guard", resourceVersion: "4711",
                          holderIdentity: "alice", acquireTime: time, renewTime: time, leaseDurationSeconds: 30)
        #expect(JSONWriter.string(lease.json) == #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","#
            + #""metadata":{"name":"email-ab","namespace":"identity-guard","#
            + #""labels":{"app.kubernetes.io/managed-by":"identity-guard"},"resourceVersion":"4711"},"#
            + #""spec":{"holderIdentity":"alice","leaseDurationSeconds":30,"#
            + #""acquireTime":"2026-11-29T01:00:00.000001Z","renewTime":"2026-11-29T01:00:00.000001Z"}}"#)
        #expect(Lease(json: lease.json) == lease)
        #expect(LeaseEmailClaims.managedBy == "app.kubernetes.io/managed-by=identity-guard")
        let bare = Lease(name: "email-ab", namespace: "ns")
        #expect(JSONWriter.string(bare.json["spec"] ?? .null) == "{}")
    }
}

@Suite("One UTC calendar: CivilTime writes what RFC3339 reads")
struct UTCCalendarTests {
    @Test("every CivilTime RFC 3339 string, 1900 to 2400, reads back to its second")
    func roundTrip() throws {
        var seconds: Int64 = -2_208_988_800  // 1900-01-01T00:00:00Z
        while seconds < 13_569_465_600 {  // 2400-01-01T00:00:00Z
            let text = CivilTime(secondsSince1970: seconds).rfc3339
            #expect(RFC3339.parse(text)?.secondsSince1970 == seconds, "\(text)")
            seconds += 86_400 * 13 + 3_661  // a step that walks through every month, weekday and hour
        }
    }

    @Test("MicroTime reads through RFC3339: lower-case designators, calendar checks, UTC only")
    func microTimeThroughRFC3339() {
        #expect(MicroTime("2026-11-29t01:02:03.000004z")?.microseconds == 1_795_914_123_000_004)
        #expect(MicroTime("2026-11-29T01:02:03.1234567Z")?.microseconds == 1_795_914_123_123_456)
        #expect(MicroTime("2026-02-30T00:00:00.000000Z") == nil)
        #expect(MicroTime("2026-11-29T01:02:03.Z") == nil)
        #expect(MicroTime("2026-11-29T01:02:03.000004+00:00") == nil)
    }
}
