import OttoSupport

/// What a worker publishes about itself every few seconds, under a key that expires when it stops.
///
/// The API's `/ready`, `/internal/worker/heartbeat` and `/metrics` and `otto-worker inspect`
/// read these records; the worker has no HTTP server of its own.
public struct WorkerHeartbeat: Codable, Sendable, Equatable {
    public var id: String
    public var host: String
    public var pid: Int
    public var queues: [String]
    public var concurrency: Int
    public var inFlight: Int
    public var processed: Int
    public var failed: Int
    /// Unix seconds when the worker started.
    public var startedAt: Double
    /// Unix seconds of this beat.
    public var beatAt: Double
    public var version: String
    /// Per task name and outcome, how many tasks ended so (`otto.ping` → `succeeded` → 12).
    public var taskCounts: [String: [String: Int]]
    /// Per task name: count and sum of durations in seconds, for the fleet-wide duration metric.
    public var taskDurations: [String: DurationSummary]

    /// Count and total of task durations, enough for a Prometheus summary.
    public struct DurationSummary: Codable, Sendable, Equatable {
        public var count: Int
        public var sumSeconds: Double
        public init(count: Int = 0, sumSeconds: Double = 0) {
            self.count = count
            self.sumSeconds = sumSeconds
        }
    }

    public init(
        id: String, host: String, pid: Int, queues: [String], concurrency: Int, inFlight: Int = 0,
        processed: Int = 0, failed: Int = 0, startedAt: Double, beatAt: Double,
        version: String = OttoVersion.current, taskCounts: [String: [String: Int]] = [:],
        taskDurations: [String: DurationSummary] = [:]
    ) {
        self.id = id
        self.host = host
        self.pid = pid
        self.queues = queues
        self.concurrency = concurrency
        self.inFlight = inFlight
        self.processed = processed
        self.failed = failed
        self.startedAt = startedAt
        self.beatAt = beatAt
        self.version = version
        self.taskCounts = taskCounts
        self.taskDurations = taskDurations
    }

    enum CodingKeys: String, CodingKey {
        case id, host, pid, queues, concurrency, processed, failed, version
        case inFlight = "in_flight"
        case startedAt = "started_at"
        case beatAt = "beat_at"
        case taskCounts = "task_counts"
        case taskDurations = "task_durations"
    }

    /// Heartbeats are refreshed every 5 seconds and expire after 15 (DESIGN.md).
    public static let interval: Duration = .seconds(5)
    /// Seconds after which a silent worker is considered gone.
    public static let timeToLive = 15
}
