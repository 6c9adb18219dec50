/// Reads RFC 3339 date-times (`2026-11-24T04:19:05Z`, `2026-11-24T06:19:05.123+02:00`): the one UTC timestamp
/// parser of identity-guard, behind `user.formats` (`spec.last_login_time`) and a Lease's `MicroTime`.
///
/// Hand-written because Foundation's date parsers are slow, locale-sensitive and not in the pure engine, and
/// `timegm` is libc's; the grammar is RFC 3339 §5.6 with real calendar checks (month lengths, leap years, leap
/// seconds). Writing timestamps is `CivilTime`'s (ClusterCache), the inverse of ``DateTime/secondsSince1970``.
public enum RFC3339 {
    /// A date-time as written: its calendar fields, fraction and offset.
    public struct DateTime: Sendable, Hashable {
        public var year: Int
        public var month: Int
        public var day: Int
        public var hour: Int
        public var minute: Int
        /// 0–60 (60 is a leap second).
        public var second: Int
        /// The fraction of the second in nanoseconds (digits past the ninth are dropped).
        public var nanosecond: Int
        /// The offset from UTC in minutes (`+02:00` is 120); nil when written `Z` (UTC itself).
        public var offsetMinutes: Int?

        public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanosecond: Int = 0,
                    offsetMinutes: Int? = nil)
        {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
            self.second = second
            self.nanosecond = nanosecond
            self.offsetMinutes = offsetMinutes
        }

        /// The whole seconds since 1970-01-01T00:00:00Z (the fraction not included; a leap second counts as the
        /// first second of the next minute, as `timegm` has it).
        public var secondsSince1970: Int64 {
            // Howard Hinnant's days_from_civil: the inverse of CivilTime's civil_from_days.
            let shiftedYear = Int64(month <= 2 ? year - 1 : year)
            let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
            let yearOfEra = shiftedYear - era * 400
            let dayOfYear = (153 * Int64(month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(day) - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let days = era * 146_097 + dayOfEra - 719_468
            let clock = Int64(hour) * 3_600 + Int64(minute) * 60 + Int64(second)
            return days * 86_400 + clock - Int64(offsetMinutes ?? 0) * 60
        }
    }

    /// Whether `text` is an RFC 3339 date-time.
    public static func isValid(_ text: String) -> Bool {
        parse(text) != nil
    }

    /// The date-time `text` writes, or nil when it is not RFC 3339 (or names a day the calendar does not have).
    public static func parse(_ text: String) -> DateTime? {
        let bytes = Array(text.utf8)
        // full-date "T" partial-time time-offset: at least 20 bytes (YYYY-MM-DDTHH:MM:SSZ).
        guard bytes.count >= 20 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for position in start..<(start + length) {
                let digit = Int(bytes[position]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"),
            let month = number(5, 2), bytes[7] == UInt8(ascii: "-"),
            let day = number(8, 2),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"),
            let minute = number(14, 2), bytes[16] == UInt8(ascii: ":"),
            let second = number(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var position = 19
        var nanosecond = 0
        if bytes[position] == UInt8(ascii: ".") {
            position += 1
            let fractionStart = position
            var scale = 100_000_000
            while position < bytes.count, (48...57).contains(bytes[position]) {
                nanosecond += Int(bytes[position] - 48) * scale
                scale /= 10
                position += 1
            }
            guard position > fractionStart else { return nil }
        }
        guard position < bytes.count else { return nil }
        var time = DateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                            nanosecond: nanosecond)
        switch bytes[position] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return position + 1 == bytes.count ? time : nil
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard position + 6 == bytes.count, let offsetHour = number(position + 1, 2),
                bytes[position + 3] == UInt8(ascii: ":"), let offsetMinute = number(position + 4, 2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            let offset = offsetHour * 60 + offsetMinute
            time.offsetMinutes = bytes[position] == UInt8(ascii: "-") ? -offset : offset
            return time
        default:
            return nil
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
