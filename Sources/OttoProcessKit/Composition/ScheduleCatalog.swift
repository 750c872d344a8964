import OttoSupport
import OttoTasks

/// Otto's periodic tasks. Every beat process computes the same list from its configuration.
public enum ScheduleCatalog {
    public static func standard(configuration: BeatConfiguration) -> [Schedule] {
        let deadline = configuration.webhookSweepDeadline
        var schedules = [
            // Daily cleanup at 03:17 UTC (off the hour, away from other fleets' cron storms).
            Schedule(
                name: "cleanup", timing: .cron(try! CronExpression("17 3 * * *")), task: MaintenanceTasks.Cleanup.name,
                arguments: "{\"webhook_retention_days\":\(configuration.webhookRetentionDays)}", queue: "low"),
            // Enqueues webhook events stored while the queue was unreachable, and runs again those
            // not processed within WEBHOOK_SWEEP_DEADLINE (every fifth of it, at most a minute apart).
            Schedule(
                name: "webhook-sweep",
                timing: .interval(
                    seconds: Int(MaintenanceTasks.WebhookSweep.interval(deadline: .seconds(deadline)).inSeconds)),
                task: MaintenanceTasks.WebhookSweep.name,
                arguments: "{\"min_age_seconds\":\(min(30, deadline)),\"deadline_seconds\":\(deadline)}",
                queue: "default"),
        ]
        if configuration.canaryInterval > 0 {
            schedules.append(
                Schedule(
                    name: "canary", timing: .interval(seconds: configuration.canaryInterval), task: PingTask.name,
                    arguments: "{\"canary\":true}", queue: "default"))
        }
        return schedules
    }
}
