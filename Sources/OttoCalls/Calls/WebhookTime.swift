/// Parses the timestamps providers send, without Foundation's formatters: RFC 2822 (Twilio's
/// `Timestamp`, `Mon, 16 Aug 2010 03:45:01 +0000`) and RFC 3339 / ISO 8601 (CallRail's
/// `start_time`, `2017-04-27T14:37:11.000-04:00`).
///
/// These arrive in signed payloads that Otto must acknowledge, so a value it cannot use is
/// unknown (nil), never a trap and never a time wrapped into another: both parsers read only
/// fixed-width digit fields (so no number can overflow), check every field's range (the day
/// against its month; zones within ±23:59), and accept only instants of the four-digit years
/// 0001-9999 (`earliest ..< latest`), which PostgreSQL stores and the API prints as they are.
public enum WebhookTime {
    /// 0001-01-01T00:00:00Z, the first instant of RFC 3339's four-digit years.
    public static let earliest: Double = -62_135_596_800
    /// 10000-01-01T00:00:00Z (exclusive): the end of RFC 3339's four-digit years.
    public static let latest: Double = 253_402_300_800

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Whether `seconds` is an instant Otto keeps (finite, within `earliest ..< latest`).
    public static func isRepresentable(_ seconds: Double) -> Bool {
        seconds.isFinite && seconds >= earliest && seconds < latest
    }

    /// Unix seconds of `text`, or nil when it is neither format or outside 0001-9999.
    public static func unixSeconds(_ text: String) -> Double? {
        iso8601(text) ?? rfc2822(text)
    }

    /// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]](Z|±HH[:]MM)`; a date alone is midnight UTC.
    public static func iso8601(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        guard chars.count <= 64 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? { digits(chars, start, count) }
        guard chars.count >= 10, let year = number(0, 4), chars[4] == UInt8(ascii: "-"), let month = number(5, 2),
            chars[7] == UInt8(ascii: "-"), let day = number(8, 2)
        else { return nil }
        if chars.count == 10 { return instant(year, month, day, 0, 0, 0, fraction: 0, offset: 0) }
        guard chars.count >= 16, chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " "),
            let hour = number(11, 2), chars[13] == UInt8(ascii: ":"), let minute = number(14, 2)
        else { return nil }
        var index = 16
        var second = 0
        var fraction = 0.0
        if index < chars.count, chars[index] == UInt8(ascii: ":") {
            guard let whole = number(index + 1, 2) else { return nil }
            second = whole
            index += 3
            if index < chars.count, chars[index] == UInt8(ascii: ".") {
                index += 1
                var scale = 0.1
                let start = index
                while index < chars.count, let digit = digits(chars, index, 1) {
                    fraction += Double(digit) * scale
                    scale /= 10
                    index += 1
                }
                guard index > start else { return nil }
            }
        }
        var offset = 0
        if index < chars.count {
            if chars[index] == UInt8(ascii: "Z") || chars[index] == UInt8(ascii: "z"), index == chars.count - 1 {
                offset = 0
            } else if chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-") {
                let sign = chars[index] == UInt8(ascii: "+") ? 1 : -1
                guard let hours = number(index + 1, 2) else { return nil }
                var minutes = 0
                let rest = chars.count - (index + 3)
                if rest == 3, chars[index + 3] == UInt8(ascii: ":"), let value = number(index + 4, 2) {
                    minutes = value
                } else if rest == 2, let value = number(index + 3, 2) {
                    minutes = value
                } else if rest != 0 {
                    return nil
                }
                guard let zone = zoneOffset(sign: sign, hours: hours, minutes: minutes) else { return nil }
                offset = zone
            } else {
                return nil
            }
        }
        return instant(year, month, day, hour, minute, second, fraction: fraction, offset: offset)
    }

    /// `[Day, ]D[D] Mon YYYY HH:MM[:SS] (±HHMM|GMT|UT|UTC|Z)`.
    public static func rfc2822(_ text: String) -> Double? {
        guard text.utf8.count <= 64 else { return nil }
        var parts = text.split(separator: " ").map { Array($0.utf8) }
        if let first = parts.first, first.last == UInt8(ascii: ",") { parts.removeFirst() }
        guard parts.count == 5, (1...2).contains(parts[0].count), let day = digits(parts[0], 0, parts[0].count),
            let monthIndex = months.firstIndex(of: String(decoding: parts[1], as: UTF8.self).lowercased()),
            parts[2].count == 4, let year = digits(parts[2], 0, 4)
        else { return nil }
        let time = parts[3]
        guard time.count == 5 || time.count == 8, let hour = digits(time, 0, 2), time[2] == UInt8(ascii: ":"),
            let minute = digits(time, 3, 2)
        else { return nil }
        var second = 0
        if time.count == 8 {
            guard time[5] == UInt8(ascii: ":"), let value = digits(time, 6, 2) else { return nil }
            second = value
        }
        let zone = parts[4]
        var offset = 0
        if ["GMT", "UTC", "UT", "Z"].contains(String(decoding: zone, as: UTF8.self).uppercased()) {
            offset = 0
        } else if zone.count == 5, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"),
            let hours = digits(zone, 1, 2), let minutes = digits(zone, 3, 2),
            let value = zoneOffset(sign: zone[0] == UInt8(ascii: "+") ? 1 : -1, hours: hours, minutes: minutes)
        {
            offset = value
        } else {
            return nil
        }
        return instant(year, monthIndex + 1, day, hour, minute, second, fraction: 0, offset: offset)
    }

    /// The decimal value of `count` ASCII digits at `start`, or nil (no sign, no spaces).
    private static func digits(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard count > 0, start >= 0, start + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<start + count] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// A zone offset in seconds, or nil beyond ±23:59.
    private static func zoneOffset(sign: Int, hours: Int, minutes: Int) -> Int? {
        guard hours <= 23, minutes <= 59 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// Unix seconds of a civil UTC time shifted by `offset`, or nil when a field is out of
    /// range or the instant falls outside 0001-9999. Second 60 (a leap second) reads as the
    /// next minute's first.
    static func instant(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, fraction: Double,
        offset: Int
    ) -> Double? {
        guard (1...9999).contains(year), (1...12).contains(month), (1...daysIn(month, of: year)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let seconds = Double(daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
        let value = seconds + fraction
        return isRepresentable(value) ? value : nil
    }

    private static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm); `year` is 1...9999 here, so no
    /// intermediate value comes near overflow.
    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
