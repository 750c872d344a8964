import OttoCore
import OttoProcessKit
import OttoTasks
import Testing

/// The beat's standard schedules, as every beat computes them from its configuration.
@Suite("Schedule catalog")
struct ScheduleCatalogTests {
    static func schedule(_ name: String, _ configuration: BeatConfiguration) -> Schedule? {
        ScheduleCatalog.standard(configuration: configuration).first { $0.name == name }
    }

    @Test("the cleanup runs daily at 03:17 UTC on the low queue with the retention in days")
    func cleanup() throws {
        let cleanup = try #require(Self.schedule("cleanup", BeatConfiguration()))
        #expect(cleanup.timing == .cron(try CronExpression("17 3 * * *")))
        #expect(cleanup.task == "otto.cleanup")
        #expect(cleanup.queue == "low")
        #expect(cleanup.arguments == "{\"webhook_retention_days\":30}")
        let week = try #require(Self.schedule("cleanup", BeatConfiguration(webhookRetentionDays: 7)))
        #expect(week.arguments == "{\"webhook_retention_days\":7}")
    }

    @Test(
        "the webhook sweep runs every fifth of its deadline (1 s to 1 min) with the deadline and a minimum age",
        arguments: [
            (300, 60, 30),  // the default deadline: every minute
            (600, 60, 30),  // never more than a minute apart
            (100, 20, 30),
            (20, 4, 20),  // the minimum age is at most the deadline
            (5, 1, 5),
            (4, 1, 4),  // never less than a second apart
        ])
    func webhookSweep(deadline: Int, interval: Int, minimumAge: Int) throws {
        let sweep = try #require(Self.schedule("webhook-sweep", BeatConfiguration(webhookSweepDeadline: deadline)))
        #expect(sweep.timing == .interval(seconds: interval))
        #expect(sweep.task == "otto.webhooks.sweep")
        #expect(sweep.queue == "default")
        #expect(sweep.arguments == "{\"min_age_seconds\":\(minimumAge),\"deadline_seconds\":\(deadline)}")
    }

    @Test("the canary pings at its interval, and is absent when the interval is 0")
    func canary() throws {
        let standard = ScheduleCatalog.standard(configuration: BeatConfiguration())
        #expect(standard.map(\.name) == ["cleanup", "webhook-sweep", "canary"])
        let canary = try #require(Self.schedule("canary", BeatConfiguration()))
        #expect(canary.timing == .interval(seconds: 60))
        #expect(canary.task == "otto.ping")
        #expect(canary.queue == "default")
        #expect(canary.arguments == "{\"canary\":true}")
        #expect(Self.schedule("canary", BeatConfiguration(canaryInterval: 15))?.timing == .interval(seconds: 15))
        let off = ScheduleCatalog.standard(configuration: BeatConfiguration(canaryInterval: 0))
        #expect(off.map(\.name) == ["cleanup", "webhook-sweep"])
    }
}
