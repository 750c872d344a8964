import Configuration
import OttoCalls
import OttoProcessKit
import OttoSupport
import OttoTasks

/// The knobs of a worker process (`ENABLE_CELERY=true`): what it drains, how many at once, and
/// how long it holds and retries.
public struct WorkerConfiguration: Sendable, Equatable {
    /// `WORKER_CONCURRENCY`.
    public var concurrency: Int
    /// `WORKER_QUEUES`, in priority order.
    public var queues: [String]
    /// `WORKER_VISIBILITY_TIMEOUT` in seconds: a delivered task not acknowledged or renewed for
    /// this long is claimed by another worker.
    public var visibilityTimeout: Int
    /// `WORKER_SHUTDOWN_GRACE` in seconds; Fly's kill_timeout must exceed it.
    public var shutdownGrace: Int
    /// `DATABASE_RETRY_SPAN` in seconds.
    public var databaseRetrySpan: Int

    public static let defaultQueues = ["critical", "default", "low"]
    public static let defaultVisibilityTimeout = 30
    public static let defaultShutdownGrace = Int(WorkerSettings.defaultShutdownGrace.components.seconds)
    public static let defaultDatabaseRetrySpan = Int(WorkerSettings.defaultDatabaseRetrySpan.components.seconds)
    /// Two tasks per core.
    public static var defaultConcurrency: Int { 2 * ConfigurationSource.coreCount }

    public init(
        concurrency: Int = defaultConcurrency, queues: [String] = defaultQueues,
        visibilityTimeout: Int = defaultVisibilityTimeout, shutdownGrace: Int = defaultShutdownGrace,
        databaseRetrySpan: Int = defaultDatabaseRetrySpan
    ) {
        self.concurrency = concurrency
        self.queues = queues
        self.visibilityTimeout = visibilityTimeout
        self.shutdownGrace = shutdownGrace
        self.databaseRetrySpan = databaseRetrySpan
    }

    /// Reads the worker's keys.
    ///
    /// ## Configuration keys
    /// - `WORKER_CONCURRENCY` (optional, default 2 × cores, 1 to 1024).
    /// - `WORKER_QUEUES` (optional, default `critical,default,low`): queue names `[a-z0-9_-]{1,64}`.
    /// - `WORKER_VISIBILITY_TIMEOUT` (optional, default 30 s, 2 to 86400).
    /// - `WORKER_SHUTDOWN_GRACE` (optional, default 20 s, 0 to 3600).
    /// - `DATABASE_RETRY_SPAN` (optional, default 900 s, 0 to 86400).
    public init(config: ConfigReader) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init()
        concurrency = values.integer("WORKER_CONCURRENCY", default: Self.defaultConcurrency, range: 1...1024)
        if let text = values.raw("WORKER_QUEUES") {
            let list = text.split(separator: ",").map { $0.trimmed }
            if list.isEmpty || list.contains(where: { !QueueName.isValid($0) }) {
                values.problem(
                    "WORKER_QUEUES", "must be a comma-separated list of queue names ([a-z0-9_-], 1 to 64 characters)")
            } else {
                queues = list
            }
        }
        visibilityTimeout = values.integer(
            "WORKER_VISIBILITY_TIMEOUT", default: Self.defaultVisibilityTimeout, range: 2...86_400)
        shutdownGrace = values.shutdownGrace()
        databaseRetrySpan = values.databaseRetrySpan()
        try values.finish()
    }
}
