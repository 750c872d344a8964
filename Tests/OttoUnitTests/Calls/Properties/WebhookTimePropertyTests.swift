import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// RFC 2822 and RFC 3339 / ISO 8601 parsing of provider timestamps, against libc's `gmtime_r`
/// as the oracle: any input parses to nil or an instant inside the years 0001-9999, and every
/// instant in that range written either way parses back to itself.
@Suite("Property: webhook times")
struct WebhookTimePropertyTests {
    static let seeds = [
        "Mon, 16 Aug 2010 03:45:01 +0000", "16 Aug 2010 05:45:01 +0200", "Tue, 1 Jan 2030 00:00 GMT",
        "2017-04-27T14:37:11.000-04:00", "2010-08-16T03:45:01Z", "2010-08-16", "2010-08-16 03:45+0530",
        "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
    ]

    /// (year, month, day, hour, minute, second, weekday) of `seconds` in UTC, from libc.
    static func civil(_ seconds: Int) -> (Int, Int, Int, Int, Int, Int, Int) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return (
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
            Int(parts.tm_min), Int(parts.tm_sec), Int(parts.tm_wday)
        )
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    @Test("no input traps, and every parsed instant lies in the years 0001-9999")
    func anyInputIsSafe() async {
        var random = PropertyInput.generator("webhook-time-any")
        for iteration in 0..<PropertyInput.iterations * 4 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: Self.seeds, using: &random)
            let text = PropertyInput.string(input)
            for parsed in [WebhookTime.unixSeconds(text), WebhookTime.iso8601(text), WebhookTime.rfc2822(text)] {
                if let parsed {
                    #expect(
                        parsed.isFinite && parsed >= WebhookTime.earliest && parsed < WebhookTime.latest,
                        "\(PropertyInput.describe(input)) -> \(parsed)")
                }
            }
        }
    }

    @Test("every instant of the years 0001-9999 round-trips through RFC 3339 and RFC 2822 text")
    func roundTrips() async throws {
        var random = PropertyInput.generator("webhook-time-round-trip")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            // Offsets up to ±14 h, and an instant whose local time stays inside 0001-9999.
            let offsetMinutes = Int.random(in: -840...840, using: &random)
            let margin = 15 * 3600
            let instant = Int.random(
                in: Int(WebhookTime.earliest) + margin..<Int(WebhookTime.latest) - margin, using: &random)
            let local = instant + offsetMinutes * 60
            let (year, month, day, hour, minute, second, weekday) = Self.civil(local)
            let sign = offsetMinutes < 0 ? "-" : "+"
            let offsetHours = Self.pad(abs(offsetMinutes) / 60, 2)
            let offsetRest = Self.pad(abs(offsetMinutes) % 60, 2)
            let millis = Int.random(in: 0..<1000, using: &random)
            let date = "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
            let time = "\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2))"

            let rfc3339 = "\(date)T\(time).\(Self.pad(millis, 3))\(sign)\(offsetHours):\(offsetRest)"
            let parsed3339 = try #require(WebhookTime.unixSeconds(rfc3339), "\(rfc3339)")
            #expect(abs(parsed3339 - (Double(instant) + Double(millis) / 1000)) < 1e-6, "\(rfc3339) -> \(parsed3339)")
            if offsetMinutes == 0 {
                #expect(WebhookTime.unixSeconds("\(date)T\(time)Z") == Double(instant))
            }

            let rfc2822 =
                "\(days[weekday]), \(day) \(months[month - 1]) \(Self.pad(year, 4)) \(time) "
                + "\(sign)\(offsetHours)\(offsetRest)"
            #expect(WebhookTime.unixSeconds(rfc2822) == Double(instant), "\(rfc2822)")
        }
    }

    @Test("years outside 0001-9999, impossible dates and zones are unknown, not wrapped or trapped")
    func outOfRangeIsUnknown() async {
        for text in [
            "Mon, 16 Aug 999999999999999 03:45:01 +0000", "Mon, 16 Aug 10000 03:45:01 +0000",
            "Mon, 16 Aug 0000 03:45:01 +0000", "Mon, 16 Aug -2010 03:45:01 +0000", "Mon, 16 Aug 2010 03:45:01 +-100",
            "Mon, 16 Aug 2010 03:45:01 +2400", "Mon, 16 Aug 2010 +3:45:01 +0000", "Mon, 31 Feb 2010 03:45:01 +0000",
            "Mon, 99999999999999999999 Aug 2010 03:45:01 +0000", "9999-12-31T23:59:59-00:01", "0000-01-01T00:00:00Z",
            "0001-01-01T00:00:00+00:01", "2010-02-30T00:00:00Z", "2010-08-16T03:45:01+99:00", "2010-08-16T24:00:00Z",
        ] {
            #expect(WebhookTime.unixSeconds(text) == nil, "\(text)")
        }
        #expect(WebhookTime.unixSeconds("9999-12-31T23:59:59Z") == WebhookTime.latest - 1)
        #expect(WebhookTime.unixSeconds("0001-01-01T00:00:00Z") == WebhookTime.earliest)
        #expect(WebhookTime.unixSeconds("29 Feb 2024 00:00:00 UT") == 1_709_164_800)
    }
}
