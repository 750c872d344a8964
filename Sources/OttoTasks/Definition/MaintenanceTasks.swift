import OttoSupport

/// The declarations of the maintenance tasks the beat schedules. Their implementations are in
/// OttoCalls (``CleanupTask`` and ``WebhookSweepTask`` take their names and defaults from here),
/// so otto-beat enqueues them with the same defaults without linking PostgreSQL code.
public enum MaintenanceTasks {
    /// `otto.cleanup`: expired webhook events, idempotency keys and dead letters.
    public enum Cleanup: TaskDeclaration {
        public static let name = "otto.cleanup"
        public static var defaultQueue: String { "low" }
        public static var maxAttempts: Int { 3 }
    }

    /// `otto.webhooks.sweep`: enqueues stored webhook events again when they were not processed.
    public enum WebhookSweep: TaskDeclaration {
        public static let name = "otto.webhooks.sweep"
        public static var maxAttempts: Int { 1 }

        /// How often the sweep runs for a deadline: a fifth of it, at most a minute and at least
        /// a second apart, so an event waits at most the deadline plus a fifth of it.
        public static func interval(deadline: Duration) -> Duration {
            .seconds(min(60, max(1, Int(deadline.inSeconds) / 5)))
        }
    }
}

extension TaskRegistry {
    /// The tasks otto-beat schedules, by their declarations (none runnable there).
    public static let scheduled: TaskRegistry = {
        var registry = TaskRegistry()
        registry.register(PingTask.self, unavailable: "enqueue only")
        registry.register(MaintenanceTasks.Cleanup.self, unavailable: "enqueue only")
        registry.register(MaintenanceTasks.WebhookSweep.self, unavailable: "enqueue only")
        return registry
    }()
}
