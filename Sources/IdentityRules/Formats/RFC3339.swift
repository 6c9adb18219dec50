/// Validates RFC 3339 date-times (`2026-11-24T04:19:05Z`, `2026-11-24T06:19:05.123+02:00`).
///
/// Hand-written because Foundation's date parsers are slow, locale-sensitive and not in the pure engine; the
/// grammar is RFC 3339 §5.6 with real calendar checks (month lengths, leap years, leap seconds).
public enum RFC3339 {
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        // full-date "T" partial-time time-offset: at least 20 bytes (YYYY-MM-DDTHH:MM:SSZ).
        guard bytes.count >= 20 else { return false }
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
        else { return false }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour <= 23, minute <= 59, second <= 60
        else { return false }
        var position = 19
        if bytes[position] == UInt8(ascii: ".") {
            position += 1
            let fractionStart = position
            while position < bytes.count, (48...57).contains(bytes[position]) { position += 1 }
            guard position > fractionStart else { return false }
        }
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return position + 1 == bytes.count
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard position + 6 == bytes.count, let offsetHour = number(position + 1, 2),
                bytes[position + 3] == UInt8(ascii: ":"), let offsetMinute = number(position + 4, 2)
            else { return false }
            return offsetHour <= 23 && offsetMinute <= 59
        default:
            return false
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
