import OttoCalls
import OttoTasks

/// The document `GET /internal/dashboard/state` answers and the page polls: everything the
/// panels show, read when asked (queues, workers, canary, beat, dead letters, tenants) or kept
/// by ``DashboardSampler`` (the hour). A panel whose read failed is listed in `unavailable`
/// instead of failing the whole document.
struct DashboardState: Encodable, Sendable {
    var generatedAt: Double
    var queues: [Queue]
    var workers: [FleetSnapshot.Worker]
    var canary: Canary
    var beat: Beat
    var deadLetters: [Letter]
    var recentFailures: [Letter]
    var tenants: [TenantBacklog]
    /// The call pipeline's workflows from PostgreSQL (nil without a database or when it failed).
    var workflows: WorkflowOverview?
    /// Today's usage (the ledger's UTC day) across tenants (nil without a database or when it failed).
    var usage: DayUsage?
    var unavailable: [String]

    /// The state when nothing can be read (no Redis configured).
    static func empty(now: Double, reason: String) -> DashboardState {
        DashboardState(
            generatedAt: now, queues: [], workers: [],
            canary: Canary(lastCompletedAgeSeconds: nil, stuckAfterSeconds: 180, stuck: true),
            beat: Beat(leader: nil, leaseRemainingSeconds: nil, schedules: []), deadLetters: [], recentFailures: [],
            tenants: [], workflows: nil, usage: nil, unavailable: [reason])
    }

    enum CodingKeys: String, CodingKey {
        case generatedAt = "generated_at"
        case queues, workers, canary, beat
        case deadLetters = "dead_letters"
        case recentFailures = "recent_failures"
        case tenants, workflows, usage, unavailable
    }

    /// `workflows` and `usage` are written as null when absent (one shape for the page's script).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(generatedAt, forKey: .generatedAt)
        try container.encode(queues, forKey: .queues)
        try container.encode(workers, forKey: .workers)
        try container.encode(canary, forKey: .canary)
        try container.encode(beat, forKey: .beat)
        try container.encode(deadLetters, forKey: .deadLetters)
        try container.encode(recentFailures, forKey: .recentFailures)
        try container.encode(tenants, forKey: .tenants)
        try container.encode(workflows, forKey: .workflows)
        try container.encode(usage, forKey: .usage)
        try container.encode(unavailable, forKey: .unavailable)
    }

    /// One queue: its depths now and its hour.
    struct Queue: Encodable, Sendable {
        var name: String
        var waiting: Int
        var pending: Int
        var delayed: Int
        var dead: Int
        var hour: DashboardRing.QueueSummary?
    }

    /// The pipeline canary: seconds since its last completion, and whether that is too long.
    struct Canary: Encodable, Sendable {
        var lastCompletedAgeSeconds: Double?
        /// Stuck beyond this many seconds (three canary intervals).
        var stuckAfterSeconds: Double
        var stuck: Bool

        enum CodingKeys: String, CodingKey {
            case lastCompletedAgeSeconds = "last_completed_age_s"
            case stuckAfterSeconds = "stuck_after_s"
            case stuck
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lastCompletedAgeSeconds, forKey: .lastCompletedAgeSeconds)  // null, not absent
            try container.encode(stuckAfterSeconds, forKey: .stuckAfterSeconds)
            try container.encode(stuck, forKey: .stuck)
        }
    }

    /// The beat: its leader and each schedule's last and next run (Unix seconds).
    struct Beat: Encodable, Sendable {
        var leader: String?
        var leaseRemainingSeconds: Double?
        var schedules: [ScheduleRun]

        enum CodingKeys: String, CodingKey {
            case leader
            case leaseRemainingSeconds = "lease_remaining_s"
            case schedules
        }
    }

    struct ScheduleRun: Encodable, Sendable {
        var name: String
        var task: String
        var queue: String
        var timing: String
        var lastRun: Double?
        var nextRun: Double?

        enum CodingKeys: String, CodingKey {
            case name, task, queue, timing
            case lastRun = "last_run"
            case nextRun = "next_run"
        }
    }

    /// A dead letter, its arguments masked (``ArgumentMask``).
    struct Letter: Encodable, Sendable {
        var queue: String
        var entryID: String
        var taskID: String?
        var task: String?
        var error: String
        var attempts: Int?
        var maxAttempts: Int?
        var arguments: String?
        var deadAt: Double?

        enum CodingKeys: String, CodingKey {
            case queue
            case entryID = "entry_id"
            case taskID = "task_id"
            case task, error, attempts
            case maxAttempts = "max_attempts"
            case arguments
            case deadAt = "dead_at"
        }

        init(_ letter: RedisTaskQueue.DeadLetter) {
            queue = letter.queue
            entryID = letter.entryID
            taskID = letter.envelope?.id
            task = letter.envelope?.name
            error = letter.reason
            attempts = letter.envelope?.attempt
            maxAttempts = letter.envelope?.maxAttempts
            arguments = letter.envelope.map { ArgumentMask.mask($0.arguments) }
            deadAt = WorkerFleet.milliseconds(ofEntryID: letter.entryID).map { $0 / 1000 }
        }
    }
}

/// `GET /internal/dashboard/task/{id}`: a tracked task (enqueued with a result TTL).
struct DashboardTask: Encodable, Sendable {
    var found: Bool
    var record: TaskStateStore.Record?
    /// The line the page shows (``DashboardView/describe(_:id:)``).
    var text: String
}

/// The answer to an action the page sent with `Accept: application/json`.
struct DashboardActionAnswer: Encodable, Sendable {
    var queue: String
    var ids: [String]?
    var purged: Int?
    var message: String
}
