import Testing

@testable import OttoProviders

@Suite("Retry-After parsing")
struct RetryAfterTests {
    /// 1994-11-06 08:49:37 UTC, RFC 9110's example date.
    static let example: Double = 784_111_777

    @Test(
        "delay-seconds, with the fractions some providers send",
        arguments: [
            ("120", Duration.seconds(120)), ("0", .zero), (" 7 ", .seconds(7)), ("1.5", .milliseconds(1500)),
            ("2.25", .milliseconds(2250)),
        ])
    func seconds(text: String, expected: Duration) {
        #expect(RetryAfter.parse(text, now: 0) == expected)
    }

    @Test(
        "the three HTTP-date forms, measured from now",
        arguments: [
            "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        ])
    func dates(text: String) {
        #expect(RetryAfter.httpDate(text) == Int64(Self.example))
        #expect(RetryAfter.parse(text, now: Self.example - 30) == .seconds(30))
    }

    @Test("a date in the past is no wait")
    func past() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: Self.example + 3600) == .zero)
    }

    @Test("leap days and the end of the year are counted right")
    func calendar() {
        #expect(RetryAfter.httpDate("Thu, 29 Feb 2024 00:00:00 GMT") == 1_709_164_800)
        #expect(RetryAfter.httpDate("Thu, 31 Dec 2026 23:59:59 GMT") == 1_798_761_599)
        #expect(RetryAfter.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
    }

    @Test(
        "anything else is no answer (the caller backs off on its own schedule)",
        arguments: [
            "", "soon", "-5", "1e3", "1.", ".5", "12abc", "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 30 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
            "99999999999999999999",
        ])
    func garbage(text: String) {
        #expect(RetryAfter.parse(text, now: Self.example) == nil)
    }
}
