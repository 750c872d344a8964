/// The pipeline's workflows at one moment, for operators (`otto-worker inspect`): what is
/// unfinished, how stale the oldest of it is, and what failed in the last day.
public struct WorkflowOverview: Sendable, Equatable, Codable {
    /// A workflow that failed: the step that failed and its last error.
    public struct Failure: Sendable, Equatable, Codable {
        public var tenantID: String
        public var workflow: String
        public var subjectID: String
        public var run: Int
        /// The failed step (nil if the workflow failed before any step did).
        public var step: String?
        public var error: String?
        /// Seconds since it failed.
        public var ageSeconds: Double

        public init(
            tenantID: String, workflow: String, subjectID: String, run: Int, step: String?, error: String?,
            ageSeconds: Double
        ) {
            self.tenantID = tenantID
            self.workflow = workflow
            self.subjectID = subjectID
            self.run = run
            self.step = step
            self.error = error
            self.ageSeconds = ageSeconds
        }

        enum CodingKeys: String, CodingKey {
            case tenantID = "tenant_id"
            case workflow
            case subjectID = "subject_id"
            case run, step, error
            case ageSeconds = "age_s"
        }
    }

    /// Workflows waiting for their next step's task to start, of every tenant.
    public var queued: Int
    /// Workflows with a step running.
    public var running: Int
    /// Seconds since the least recently updated queued or running workflow moved; nil when none.
    public var oldestUnfinishedAgeSeconds: Double?
    /// Workflows that failed in the last 24 hours.
    public var failedLastDay: Int
    /// The most recent of those, newest first.
    public var recentFailures: [Failure]

    public init(
        queued: Int, running: Int, oldestUnfinishedAgeSeconds: Double?, failedLastDay: Int, recentFailures: [Failure]
    ) {
        self.queued = queued
        self.running = running
        self.oldestUnfinishedAgeSeconds = oldestUnfinishedAgeSeconds
        self.failedLastDay = failedLastDay
        self.recentFailures = recentFailures
    }

    enum CodingKeys: String, CodingKey {
        case queued, running
        case oldestUnfinishedAgeSeconds = "oldest_unfinished_age_s"
        case failedLastDay = "failed_last_day"
        case recentFailures = "recent_failures"
    }
}
