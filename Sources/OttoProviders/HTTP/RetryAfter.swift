import OttoSupport

/// Reads a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
///
/// Providers differ: OpenAI sends whole seconds (and `retry-after-ms`), Deepgram and Twilio
/// may send fractions, a CDN or proxy may send a date. A date in the past is a zero wait; a
/// value that is neither form is nil (the caller backs off on its own schedule).
public enum RetryAfter {
    /// The wait `value` asks for, measured from `now` (unix seconds) when it is a date.
    public static func parse(_ value: String, now: Double = UnixTime.now()) -> Duration? {
        let text = value.trimmed
        guard let first = text.first else { return nil }
        if first.isASCII && first.isNumber {
            return seconds(text)
        }
        guard let date = httpDate(text) else { return nil }
        let wait = Double(date) - now
        return wait > 0 ? .milliseconds(Int64((wait * 1000).rounded(.up))) : .zero
    }

    /// Delay-seconds: digits, optionally with a fraction (not in the RFC, but sent by some).
    static func seconds(_ text: String) -> Duration? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 12,
            whole.allSatisfy({ $0.isASCII && $0.isNumber }), let seconds = Int64(whole)
        else { return nil }
        var milliseconds: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            let digits = String((fraction + "000").prefix(3))
            milliseconds = Int64(digits) ?? 0
        }
        return .seconds(seconds) + .milliseconds(milliseconds)
    }

    /// An HTTP-date as unix seconds: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) or the two
    /// obsolete forms recipients must accept, RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and
    /// asctime (`Sun Nov  6 08:49:37 1994`).
    static func httpDate(_ text: String) -> Int64? {
        let tokens = text.split(separator: " ").map(String.init)
        guard let first = tokens.first else { return nil }
        if first.hasSuffix(",") {
            if tokens.count == 6, tokens[5] == "GMT" {
                guard let day = Int(tokens[1]), tokens[1].count == 2, let month = month(tokens[2]),
                    tokens[3].count == 4, let year = Int(tokens[3])
                else { return nil }
                return unixSeconds(year: year, month: month, day: day, time: tokens[4])
            }
            if tokens.count == 4, tokens[3] == "GMT" {
                let date = tokens[1].split(separator: "-").map(String.init)
                guard date.count == 3, date[0].count == 2, let day = Int(date[0]), let month = month(date[1]),
                    date[2].count == 2, let short = Int(date[2])
                else { return nil }
                // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
                let year = short < 70 ? 2000 + short : 1900 + short
                return unixSeconds(year: year, month: month, day: day, time: tokens[2])
            }
            return nil
        }
        guard tokens.count == 5, let month = month(tokens[1]), let day = Int(tokens[2]), tokens[4].count == 4,
            let year = Int(tokens[4])
        else { return nil }
        return unixSeconds(year: year, month: month, day: day, time: tokens[3])
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func month(_ name: String) -> Int? {
        months.firstIndex(of: name).map { $0 + 1 }
    }

    private static func unixSeconds(year: Int, month: Int, day: Int, time: String) -> Int64? {
        let clock = time.split(separator: ":").map(String.init)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }), let hour = Int(clock[0]),
            let minute = Int(clock[1]), let second = Int(clock[2]), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
