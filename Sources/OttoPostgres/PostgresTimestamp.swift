#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Converts `Date` to and from PostgreSQL's timestamp text, with microsecond precision (the
/// server's own), without Foundation's formatters (which pull in ICU on Linux).
public enum PostgresTimestamp {
    /// 0001-01-01T00:00:00Z in Unix seconds: before it, `format` writes `-infinity`.
    ///
    /// A private copy of OttoCore's `WebhookTime.earliest` (this library knows no Otto type);
    /// both are the first instant of four-digit years.
    static let earliest: Double = -62_135_596_800
    /// 10000-01-01T00:00:00Z (exclusive): from it on, `format` writes `infinity` (a private copy
    /// of OttoCore's `WebhookTime.latest`).
    static let latest: Double = 253_402_300_800

    /// `2024-05-01T12:34:56.123456Z`: ISO 8601 in UTC, which PostgreSQL reads for both
    /// `timestamptz` and `timestamp` regardless of the session's DateStyle.
    ///
    /// Any `Date` formats without trapping: one before 0001-01-01 is `-infinity` and one from
    /// 10000-01-01 on is `infinity` (PostgreSQL's own spellings, stored as such); NaN has no
    /// instant and is nil (SQL NULL).
    public static func format(_ date: Date) -> String? {
        let instant = date.timeIntervalSince1970
        if instant.isNaN { return nil }
        if instant < earliest { return "-infinity" }
        if instant >= latest { return "infinity" }
        // Within ±2.6e17 µs here, far from Int64's limits.
        let totalMicroseconds = Int64((instant * 1_000_000).rounded())
        let (seconds, microseconds) = floorDivide(totalMicroseconds, 1_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        var text = ""
        text.reserveCapacity(27)
        append(year, width: 4, to: &text)
        text.append("-")
        append(month, width: 2, to: &text)
        text.append("-")
        append(day, width: 2, to: &text)
        text.append("T")
        append(secondOfDay / 3600, width: 2, to: &text)
        text.append(":")
        append(secondOfDay / 60 % 60, width: 2, to: &text)
        text.append(":")
        append(secondOfDay % 60, width: 2, to: &text)
        text.append(".")
        append(microseconds, width: 6, to: &text)
        text.append("Z")
        return text
    }

    /// Reads what the server prints with DateStyle=ISO: `2024-05-01 12:34:56.123456+00`, with an
    /// optional fraction and an offset of `+HH`, `+HH:MM` or `+HH:MM:SS` (none for `timestamp`,
    /// read as UTC). `T` and `Z` are accepted too. BC dates, infinities, years past PostgreSQL's
    /// last (294276) and zone offsets beyond its ±15:59:59 are refused.
    public static func parse(_ text: String) -> Date? {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard let year = scanner.number(minDigits: 4, maxDigits: 7), scanner.skip(UInt8(ascii: "-")),
            let month = scanner.number(minDigits: 2, maxDigits: 2), scanner.skip(UInt8(ascii: "-")),
            let day = scanner.number(minDigits: 2, maxDigits: 2),
            scanner.skip(UInt8(ascii: " ")) || scanner.skip(UInt8(ascii: "T")),
            let hour = scanner.number(minDigits: 2, maxDigits: 2), scanner.skip(UInt8(ascii: ":")),
            let minute = scanner.number(minDigits: 2, maxDigits: 2), scanner.skip(UInt8(ascii: ":")),
            let second = scanner.number(minDigits: 2, maxDigits: 2),
            year <= 294_276, (1...12).contains(month), (1...31).contains(day), hour <= 24, minute < 60, second < 61
        else { return nil }
        var microseconds: Int64 = 0
        if scanner.skip(UInt8(ascii: ".")) {
            var scale: Int64 = 100_000
            var digits = 0
            while let digit = scanner.digit() {
                microseconds += Int64(digit) * scale
                scale /= 10
                digits += 1
            }
            guard digits > 0 else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if scanner.skip(UInt8(ascii: "Z")) {
            offsetSeconds = 0
        } else if let sign = scanner.sign() {
            guard let hours = scanner.number(minDigits: 2, maxDigits: 2), hours <= 15 else { return nil }
            var offset = Int64(hours) * 3600
            if scanner.skip(UInt8(ascii: ":")) {
                guard let minutes = scanner.number(minDigits: 2, maxDigits: 2), minutes < 60 else { return nil }
                offset += Int64(minutes) * 60
                if scanner.skip(UInt8(ascii: ":")) {
                    guard let seconds = scanner.number(minDigits: 2, maxDigits: 2), seconds < 60 else { return nil }
                    offset += Int64(seconds)
                }
            }
            offsetSeconds = sign * offset
        }
        guard scanner.isAtEnd else { return nil }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let localSeconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let utcSeconds = localSeconds - offsetSeconds
        return Date(timeIntervalSince1970: Double(utcSeconds) + Double(microseconds) / 1_000_000)
    }

    private static func append(_ value: some BinaryInteger, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width { text.append(String(repeating: "0", count: width - digits.count)) }
        text.append(digits)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index == bytes.count }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else {
                return nil
            }
            defer { index += 1 }
            return Int(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func number(minDigits: Int, maxDigits: Int) -> Int? {
            var value = 0
            var count = 0
            while count < maxDigits, let digit = digit() {
                value = value * 10 + digit
                count += 1
            }
            return count >= minDigits ? value : nil
        }

        mutating func sign() -> Int64? {
            if skip(UInt8(ascii: "+")) { return 1 }
            if skip(UInt8(ascii: "-")) { return -1 }
            return nil
        }
    }
}
