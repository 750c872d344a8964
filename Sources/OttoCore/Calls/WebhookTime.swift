/// Parses the timestamps providers send, without Foundation's formatters: RFC 2822 (Twilio's
/// `Timestamp`, `Mon, 16 Aug 2010 03:45:01 +0000`) and ISO 8601 (CallRail's `start_time`,
/// `2017-04-27T14:37:11.000-04:00`).
public enum WebhookTime {
    /// 0001-01-01T00:00:00Z, the first instant of RFC 3339's four-digit years.
    public static let earliest: Double = -62_135_596_800
    /// 10000-01-01T00:00:00Z (exclusive): the end of RFC 3339's four-digit years.
    public static let latest: Double = 253_402_300_800

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Unix seconds of `text`, or nil when it is neither format.
    public static func unixSeconds(_ text: String) -> Double? {
        iso8601(text) ?? rfc2822(text)
    }

    /// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]](Z|±HH[:]MM)`; a date alone is midnight UTC.
    public static func iso8601(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= chars.count else { return nil }
            var value = 0
            for byte in chars[start..<start + count] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), chars.count >= 10, chars[4] == 45, let month = number(5, 2), chars[7] == 45,
            let day = number(8, 2)
        else { return nil }
        if chars.count == 10 { return civil(year, month, day, 0, 0, 0, 0) }
        guard chars.count >= 16, chars[10] == 84 || chars[10] == 32, let hour = number(11, 2), chars[13] == 58,
            let minute = number(14, 2)
        else { return nil }
        var index = 16
        var second = 0.0
        if index < chars.count, chars[index] == 58 {
            guard let whole = number(index + 1, 2) else { return nil }
            second = Double(whole)
            index += 3
            if index < chars.count, chars[index] == 46 {
                index += 1
                var scale = 0.1
                while index < chars.count, (48...57).contains(chars[index]) {
                    second += Double(chars[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
            }
        }
        var offset = 0
        if index < chars.count {
            if chars[index] == 90, index == chars.count - 1 {
                offset = 0
            } else if chars[index] == 43 || chars[index] == 45 {
                let sign = chars[index] == 43 ? 1 : -1
                guard let hours = number(index + 1, 2) else { return nil }
                var minutes = 0
                let rest = chars.count - (index + 3)
                if rest == 3, chars[index + 3] == 58, let value = number(index + 4, 2) {
                    minutes = value
                } else if rest == 2, let value = number(index + 3, 2) {
                    minutes = value
                } else if rest != 0 {
                    return nil
                }
                offset = sign * (hours * 3600 + minutes * 60)
            } else {
                return nil
            }
        }
        return civil(year, month, day, hour, minute, 0, offset).map { $0 + second }
    }

    /// `[Day, ]DD Mon YYYY HH:MM:SS (+|-)HHMM` (or `GMT`/`UTC`/`Z`).
    public static func rfc2822(_ text: String) -> Double? {
        var parts = text.split(separator: " ").map(String.init)
        if let first = parts.first, first.hasSuffix(",") { parts.removeFirst() }
        guard parts.count == 5, let day = Int(parts[0]),
            let monthIndex = months.firstIndex(of: parts[1].lowercased().prefix(3).description),
            let year = Int(parts[2])
        else { return nil }
        let time = parts[3].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 || time.count == 2 else { return nil }
        let zone = parts[4]
        var offset = 0
        if ["GMT", "UTC", "UT", "Z"].contains(zone.uppercased()) {
            offset = 0
        } else if zone.count == 5, let sign = zone.first, sign == "+" || sign == "-",
            let hours = Int(zone.dropFirst().prefix(2)), let minutes = Int(zone.suffix(2))
        {
            offset = (sign == "+" ? 1 : -1) * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        return civil(year, monthIndex + 1, day, time[0], time[1], time.count == 3 ? time[2] : 0, offset)
    }

    /// Days from civil (Howard Hinnant's algorithm), then seconds, minus the zone offset.
    static func civil(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ offset: Int)
        -> Double?
    {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
    }
}
