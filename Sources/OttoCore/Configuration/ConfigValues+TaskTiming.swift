import OttoProcessKit

/// The task-timing keys more than one process reads, with one rule each.
extension ConfigValues {
    /// `WORKER_SHUTDOWN_GRACE` in seconds (0 to 3600, default 20): how long running tasks may finish after SIGTERM.
    mutating func shutdownGrace() -> Int {
        integer("WORKER_SHUTDOWN_GRACE", default: WorkerConfiguration.defaultShutdownGrace, range: 0...3600)
    }

    /// `DATABASE_RETRY_SPAN` in seconds (0 to 86400, default 900): how long tasks that need
    /// PostgreSQL keep retrying after their first failure.
    mutating func databaseRetrySpan() -> Int {
        integer("DATABASE_RETRY_SPAN", default: WorkerConfiguration.defaultDatabaseRetrySpan, range: 0...86_400)
    }
}
