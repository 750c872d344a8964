import OttoCalls
import Testing

/// The UTC days of the usage ledger and the ranges `GET /v1/usage` and `otto-api tenants usage`
/// accept. Day numbers were computed apart from Otto (Python's `(date - date(1970, 1, 1)).days`).
@Suite("Usage range")
struct UsageRangeTests {
    @Test(
        "a calendar day parses from YYYY-MM-DD to its day number and prints back",
        arguments: [
            ("1970-01-01", 0), ("2026-01-31", 20_484), ("2024-02-29", 19_782), ("0001-01-01", -719_162),
            ("9999-12-31", 2_932_896), ("2000-03-01", 11_017), ("1969-12-31", -1),
        ])
    func days(text: String, number: Int) throws {
        let day = try #require(CalendarDay(text))
        #expect(day.daysSinceEpoch == number)
        #expect(day.description == text)
        #expect(CalendarDay(daysSinceEpoch: number).description == text)
    }

    @Test(
        "anything but a real day in YYYY-MM-DD is refused",
        arguments: [
            "2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01", "2026-1-31",
            "2026-01-31T00:00:00Z", "yesterday", "", "２０２６-01-31", "2026/01/31", "+026-01-31",
        ])
    func refused(text: String) {
        #expect(CalendarDay(text) == nil)
    }

    @Test("the day of a unix time is its UTC day")
    func unixDay() {
        #expect(CalendarDay(unixSeconds: 1_769_860_800).description == "2026-01-31")
        #expect(CalendarDay(unixSeconds: 1_769_903_999.9).description == "2026-01-31")
        #expect(CalendarDay(unixSeconds: -0.5).description == "1969-12-31")
    }

    @Test("by default the range is the last 30 days up to today; from or to alone moves it")
    func defaults() throws {
        let today = try #require(CalendarDay("2026-01-31"))
        let range = try UsageRange(from: nil, to: nil, today: today)
        #expect(range.from.description == "2026-01-02")
        #expect(range.to == today)
        #expect(try UsageRange(from: nil, to: "2026-03-01", today: today).from.description == "2026-01-31")
        #expect(try UsageRange(from: "2026-01-31", to: nil, today: today).to == today)
        #expect(try UsageRange(from: nil, to: "0001-01-05", today: today).from.description == "0001-01-01")
    }

    @Test("from after to, more than 366 days, or a bad date is refused with its reason")
    func errors() throws {
        let today = try #require(CalendarDay("2026-01-31"))
        #expect(throws: UsageRange.Problem(description: "from must not be after to.")) {
            try UsageRange(from: "2026-02-01", to: "2026-01-31", today: today)
        }
        #expect(throws: UsageRange.Problem.self) { try UsageRange(from: "2024-01-01", to: "2025-01-01", today: today) }
        #expect(try UsageRange(from: "2024-01-01", to: "2024-12-31", today: today).from.description == "2024-01-01")
        #expect(throws: UsageRange.Problem(description: "to must be a date such as 2026-01-31 (YYYY-MM-DD).")) {
            try UsageRange(from: nil, to: "2026-02-30", today: today)
        }
        #expect(throws: UsageRange.Problem.self) { try UsageRange(from: "soon", to: nil, today: today) }
    }
}
