import OttoTasks
import Testing

/// A schedule's ticks: intervals fall on multiples of their length since the epoch (so every
/// beat computes the same ticks), cron schedules on their expression's minutes.
@Suite("Schedule")
struct ScheduleTests {
    static func every(_ seconds: Int) -> Schedule {
        Schedule(name: "every", timing: .interval(seconds: seconds), task: "otto.ping")
    }

    @Test("an interval's next tick is the next multiple of it, strictly after the time")
    func intervalNextTick() {
        #expect(Self.every(300).nextTick(after: 1000) == 1200)
        #expect(Self.every(300).nextTick(after: 1200) == 1500)
        #expect(Self.every(300).nextTick(after: 0) == 300)
        #expect(Self.every(60).nextTick(after: 1_700_000_000) == 1_700_000_040)
        // An interval below one second ticks every second.
        #expect(Self.every(0).nextTick(after: 41) == 42)
    }

    @Test("a cron schedule's next tick is its expression's next minute")
    func cronNextTick() throws {
        let cleanup = Schedule(name: "cleanup", timing: .cron(try CronExpression("17 3 * * *")), task: "otto.cleanup")
        // 2023-11-14 22:13:20 UTC -> 2023-11-15 03:17 UTC.
        #expect(cleanup.nextTick(after: 1_700_000_000) == 1_700_018_220)
    }

    @Test("ticks lists those after the start and through the end, oldest first")
    func ticks() throws {
        #expect(Self.every(300).ticks(after: 0, through: 1000) == [300, 600, 900])
        #expect(Self.every(300).ticks(after: 300, through: 900) == [600, 900])
        #expect(Self.every(300).ticks(after: 900, through: 1000) == [])
        let quarterly = Schedule(name: "q", timing: .cron(try CronExpression("*/15 * * * *")), task: "otto.ping")
        #expect(quarterly.ticks(after: 0, through: 3600) == [900, 1800, 2700, 3600])
    }

    @Test("beyond the limit only the newest ticks are kept")
    func ticksLimit() throws {
        #expect(Self.every(300).ticks(after: 0, through: 3000, limit: 2) == [2700, 3000])
        // A long interval gap starts near its end instead of walking every tick.
        #expect(
            Self.every(1).ticks(after: 0, through: 1_700_000_000, limit: 3) == [
                1_699_999_998, 1_699_999_999, 1_700_000_000,
            ])
        let quarterly = Schedule(name: "q", timing: .cron(try CronExpression("*/15 * * * *")), task: "otto.ping")
        #expect(quarterly.ticks(after: 0, through: 3600, limit: 2) == [2700, 3600])
    }

    @Test("the de-duplication key names the schedule and the tick")
    func dedupKey() {
        #expect(Self.every(60).dedupKey(tick: 1_700_000_040) == "beat:every:1700000040")
    }

    @Test("a schedule's arguments default to an empty object and its queue to the task's own")
    func defaults() {
        let schedule = Self.every(60)
        #expect(schedule.arguments == "{}")
        #expect(schedule.queue == nil)
    }
}
