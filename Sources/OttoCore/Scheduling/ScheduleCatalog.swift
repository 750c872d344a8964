/// Otto's periodic tasks. Every beat process computes the same list from its configuration.
public enum ScheduleCatalog {
    public static func standard(configuration: OttoConfiguration) -> [Schedule] {
        var schedules = [
            // Daily cleanup at 03:17 UTC (off the hour, away from other fleets' cron storms).
            Schedule(
                name: "cleanup", timing: .cron(try! CronExpression("17 3 * * *")), task: CleanupTask.name,
                arguments: "{\"webhook_retention_days\":\(configuration.webhookRetentionDays)}", queue: "low"),
            // Enqueues webhook events stored while the queue was unreachable.
            Schedule(
                name: "webhook-sweep", timing: .interval(seconds: 60), task: WebhookSweepTask.name,
                arguments: "{\"min_age_seconds\":30}", queue: "default"),
        ]
        if configuration.beatCanaryInterval > 0 {
            schedules.append(
                Schedule(
                    name: "canary", timing: .interval(seconds: configuration.beatCanaryInterval), task: PingTask.name,
                    arguments: "{\"canary\":true}", queue: "default"))
        }
        return schedules
    }
}
