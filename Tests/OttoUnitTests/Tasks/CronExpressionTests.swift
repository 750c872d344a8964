import Testing

@testable import OttoTasks

/// The beat's cron expressions: what a field means, what is refused and why, and the next run.
/// Expected instants are Unix seconds of UTC wall-clock times, computed apart from Otto (Python's
/// `datetime(..., tzinfo=timezone.utc).timestamp()`).
@Suite("Cron expression")
struct CronExpressionTests {
    @Test("numbers, ranges, steps and lists expand to the values they name")
    func fields() throws {
        let cron = try CronExpression("1,3,5-6 */6 10-20/5 1-12/4 1-5")
        #expect(cron.minutes == [1, 3, 5, 6])
        #expect(cron.hours == [0, 6, 12, 18])
        #expect(cron.daysOfMonth == [10, 15, 20])
        #expect(cron.months == [1, 5, 9])
        #expect(cron.daysOfWeek == [1, 2, 3, 4, 5])
        // `a/n` runs from a to the end of the field's range.
        #expect(try CronExpression("5/20 * * * *").minutes == [5, 25, 45])
        #expect(try CronExpression("* * * * *").minutes == Set(0...59))
        #expect(try CronExpression("* * * * *").daysOfMonth == Set(1...31))
    }

    @Test("day-of-week 7 is Sunday, like 0")
    func sundayIsZeroAndSeven() throws {
        #expect(try CronExpression("0 0 * * 7").daysOfWeek == [0])
        #expect(try CronExpression("0 0 * * 0").daysOfWeek == [0])
        #expect(try CronExpression("0 0 * * 5-7").daysOfWeek == [5, 6, 0])
    }

    @Test("the description is the five fields with single spaces")
    func description() throws {
        #expect(try CronExpression("  17\t3  * *   * ").description == "17 3 * * *")
    }

    @Test(
        "malformed expressions are refused, saying why",
        arguments: [
            ("* * * *", "cron needs 5 fields, got 4"),
            ("* * * * * *", "cron needs 5 fields, got 6"),
            ("", "cron needs 5 fields, got 0"),
            ("60 * * * *", "60 is outside 0-59"),
            ("* 24 * * *", "24 is outside 0-23"),
            ("* * 0 * *", "0 is outside 1-31"),
            ("* * 32 * *", "32 is outside 1-31"),
            ("* * * 13 *", "13 is outside 1-12"),
            ("* * * * 8", "8 is outside 0-7"),
            ("5-1 * * * *", "5-1 is outside 0-59"),
            ("5- * * * *", "5- is outside 0-59"),
            ("*/0 * * * *", "bad step in */0"),
            ("*/x * * * *", "bad step in */x"),
            ("1/2/3 * * * *", "bad step in 1/2/3"),
            ("a * * * *", "bad value in a"),
            ("1-2-3 * * * *", "bad value in 1-2-3"),
            ("1,,2 * * * *", "bad value in 1,,2"),
            ("-1 * * * *", "bad value in -1"),
        ])
    func refused(text: String, reason: String) {
        #expect(throws: CronExpression.ParseError(description: reason)) { try CronExpression(text) }
    }

    @Test(
        "the next run is the first matching minute strictly after the given time",
        arguments: [
            // 2023-11-14 22:13:20 -> 2023-11-15 03:17 (the daily cleanup, across midnight)
            ("17 3 * * *", 1_700_000_000, 1_700_018_220),
            // 2024-01-31 12:00 -> 2024-02-01 00:00 (across a month end)
            ("0 0 1 * *", 1_706_702_400, 1_706_745_600),
            // 2023-03-01 -> 2024-02-29 (the next 29 February is in a leap year)
            ("0 0 29 2 *", 1_677_628_800, 1_709_164_800),
            // 2024-04-01 -> 2024-05-31 (April has no 31st)
            ("0 0 31 * *", 1_711_929_600, 1_717_113_600),
            // 2023-12-31 23:59 exactly -> 2024-12-31 23:59 (strictly after: not the same minute)
            ("59 23 31 12 *", 1_704_067_140, 1_735_689_540),
            // 2024-03-04 10:07:30 -> 10:15; 10:45 exactly -> 11:00 (across the hour)
            ("*/15 * * * *", 1_709_546_850, 1_709_547_300),
            ("*/15 * * * *", 1_709_549_100, 1_709_550_000),
            // Sunday 2024-03-03 09:00 -> Monday 2024-03-04 12:00
            ("0 12 * * 1", 1_709_456_400, 1_709_553_600),
        ])
    func nextRun(text: String, after: Int64, expected: Int64) throws {
        let cron = try CronExpression(text)
        #expect(cron.next(after: after) == expected)
        #expect(cron.matches(expected))
        #expect(!cron.matches(expected + 60))
    }

    @Test("when both day fields are restricted either may match; when one is, it alone decides")
    func dayOfMonthOrDayOfWeek() throws {
        // 2024-09-01 is a Sunday; 2024-09-06 a Friday; 2024-09-13 a Friday the 13th.
        let thirteenthOrFriday = try CronExpression("0 0 13 * 5")
        #expect(thirteenthOrFriday.next(after: 1_725_148_800) == 1_725_580_800)  // Friday 6 September
        // Saturday 2024-10-12 -> Sunday 2024-10-13: the 13th, not a Friday.
        #expect(thirteenthOrFriday.next(after: 1_728_691_200) == 1_728_777_600)
        #expect(try CronExpression("0 0 13 * *").next(after: 1_725_148_800) == 1_726_185_600)
        #expect(try CronExpression("0 0 * * 5").next(after: 1_725_148_800) == 1_725_580_800)
        // A field other than a bare `*` counts as restricted, even when it names every day: so
        // `1-31` with a day of week matches every day.
        #expect(try CronExpression("0 0 1-31 * 5").next(after: 1_725_148_800) == 1_725_235_200)
    }

    @Test("matches looks at the minute and ignores seconds")
    func matchesMinute() throws {
        let cron = try CronExpression("17 3 * * *")
        #expect(cron.matches(1_700_018_220))
        #expect(cron.matches(1_700_018_220 + 59))
        #expect(!cron.matches(1_700_018_220 + 60))
        #expect(!cron.matches(1_700_018_220 - 1))
    }

    @Test("a date that never comes has no next run")
    func never() throws {
        #expect(try CronExpression("0 0 31 2 *").next(after: 1_700_000_000) == nil)
    }
}
