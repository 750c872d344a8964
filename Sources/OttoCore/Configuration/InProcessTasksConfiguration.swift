import Configuration
import OttoProcessKit

/// otto-api with `ENABLE_CELERY=false` (the rollback) runs the tasks itself: the in-process
/// runner's grace and retry span, and the webhook sweep's deadline (the beat's otherwise).
public struct InProcessTasksConfiguration: Sendable, Equatable {
    /// `WORKER_SHUTDOWN_GRACE` in seconds.
    public var shutdownGrace: Int
    /// `DATABASE_RETRY_SPAN` in seconds.
    public var databaseRetrySpan: Int
    /// `WEBHOOK_SWEEP_DEADLINE` in seconds.
    public var webhookSweepDeadline: Int

    public init(
        shutdownGrace: Int = WorkerConfiguration.defaultShutdownGrace,
        databaseRetrySpan: Int = WorkerConfiguration.defaultDatabaseRetrySpan,
        webhookSweepDeadline: Int = BeatConfiguration.defaultWebhookSweepDeadline
    ) {
        self.shutdownGrace = shutdownGrace
        self.databaseRetrySpan = databaseRetrySpan
        self.webhookSweepDeadline = webhookSweepDeadline
    }

    /// Reads the in-process keys.
    ///
    /// ## Configuration keys
    /// - `WORKER_SHUTDOWN_GRACE` (optional, default 20 s, 0 to 3600).
    /// - `DATABASE_RETRY_SPAN` (optional, default 900 s, 0 to 86400).
    /// - `WEBHOOK_SWEEP_DEADLINE` (optional, default 300 s, 5 to 300).
    public init(config: ConfigReader) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init()
        shutdownGrace = values.shutdownGrace()
        databaseRetrySpan = values.databaseRetrySpan()
        webhookSweepDeadline = values.webhookSweepDeadline()
        try values.finish()
    }
}
