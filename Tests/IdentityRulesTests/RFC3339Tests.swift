import IdentityRules
import Testing

@Suite("RFC 3339: the one UTC timestamp parser")
struct RFC3339Tests {
    @Test("reads every field, the fraction in nanoseconds and the offset in minutes")
    func fields() throws {
        let time = try #require(RFC3339.parse("2026-11-29T03:02:03.123456789+02:00"))
        #expect(time == RFC3339.DateTime(year: 2026, month: 11, day: 29, hour: 3, minute: 2, second: 3,
                                         nanosecond: 123_456_789, offsetMinutes: 120))
        #expect(RFC3339.parse("2026-11-29T01:02:03.5-00:30")?.offsetMinutes == -30)
        #expect(RFC3339.parse("2026-11-29t01:02:03z")?.offsetMinutes == nil)
        #expect(RFC3339.parse("2026-11-29T01:02:03.1234567891Z")?.nanosecond == 123_456_789)
    }

    @Test("seconds since 1970 in UTC, offsets applied, before 1970 too", arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("1969-12-31T23:59:59Z", -1),
        ("2026-11-29T01:02:03Z", 1_795_914_123),
        ("2026-11-29T03:02:03.999+02:00", 1_795_914_123),
        ("2026-11-28T23:32:03-01:30", 1_795_914_123),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
        ("2000-03-01T00:00:00Z", 951_868_800),
        ("2016-12-31T23:59:60Z", 1_483_228_800),
    ])
    func secondsSince1970(text: String, seconds: Int64) throws {
        #expect(try #require(RFC3339.parse(text)).secondsSince1970 == seconds)
    }

    @Test("refuses what is not an RFC 3339 date-time or names a day the calendar does not have", arguments: [
        "2026-11-29", "2026-11-29 01:02:03Z", "2026-11-29T01:02:03", "2026-11-29T01:02:03.Z",
        "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-11-29T24:00:00Z", "2026-11-29T01:60:00Z", "2026-11-29T01:02:61Z", "2026-11-29T01:02:03+2:00",
        "2026-11-29T01:02:03+02:60", "2026-11-29T01:02:03Zjunk", "yesterday",
    ])
    func refused(text: String) {
        #expect(RFC3339.parse(text) == nil)
        #expect(!RFC3339.isValid(text))
    }
}
