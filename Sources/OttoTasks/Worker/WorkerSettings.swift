/// The knobs of one worker process, from `WORKER_*` variables.
public struct WorkerSettings: Sendable {
    /// `WORKER_SHUTDOWN_GRACE`'s default.
    public static let defaultShutdownGrace: Duration = .seconds(20)
    /// `DATABASE_RETRY_SPAN`'s default.
    public static let defaultDatabaseRetrySpan: Duration = .seconds(900)
    /// ``deferralSpan``'s default: an hour.
    public static let defaultDeferralSpan: Duration = .seconds(3600)

    public var id: String
    /// In priority order: the worker drains the first before the next.
    public var queues: [String]
    public var concurrency: Int
    /// A delivered task not acknowledged or renewed for this long is claimed by another worker.
    public var visibilityTimeout: Duration
    /// How long in-flight tasks may take to finish after SIGTERM.
    public var shutdownGrace: Duration
    /// How long one blocking read waits for work (the idle cost is one read per block).
    public var blockTime: Duration = .seconds(5)
    /// Entries fetched beyond the free slots, so a busy worker is never starved between reads.
    public var prefetch: Int
    /// Deliveries after which an entry that never completes (it kills its worker) is dead-lettered.
    public var maxDeliveries: Int = 5
    /// The longest a worker waits between checks for due delayed tasks.
    public var maintenanceInterval: Duration = .seconds(5)
    /// `DATABASE_RETRY_SPAN`: how long tasks that need PostgreSQL keep retrying after their first failure.
    public var databaseRetrySpan: Duration = WorkerSettings.defaultDatabaseRetrySpan
    /// How long a task may be deferred (``TaskDeferral``) after its first deferral without
    /// spending attempts; past it, a deferral counts as a failed attempt.
    public var deferralSpan: Duration = WorkerSettings.defaultDeferralSpan

    public init(
        id: String, queues: [String], concurrency: Int, visibilityTimeout: Duration, shutdownGrace: Duration,
        prefetch: Int? = nil
    ) {
        self.id = id
        self.queues = queues
        self.concurrency = max(1, concurrency)
        self.visibilityTimeout = visibilityTimeout
        self.shutdownGrace = shutdownGrace
        self.prefetch = prefetch ?? max(16, self.concurrency * 4)
    }
}
