import Logging
import OttoRedis

/// What a running task gets: its envelope and a logger carrying task metadata. The clients a
/// task needs are its own, given when it is registered (``TaskRegistry/standard(_:)``).
public struct TaskContext: Sendable {
    public var envelope: TaskEnvelope
    /// Carries `task_id`, `task_name`, `queue`, `attempt` and `trace_id`.
    public var logger: Logger
    /// Whether a failure of this attempt would be retried (the runner decides it from the retry
    /// policy before the run), so a task can tell a final failure from one that comes back.
    public var willRetryOnFailure: Bool
    /// Whether a ``TaskDeferral`` thrown by this run is rescheduled without spending the attempt
    /// (false once the deferral span has passed since the first deferral: it then fails the attempt).
    public var canDefer: Bool

    public var taskID: String { envelope.id }
    public var attempt: Int { envelope.attempt }
    /// Times this task was deferred so far.
    public var deferrals: Int { envelope.deferrals ?? 0 }

    public init(envelope: TaskEnvelope, logger: Logger, willRetryOnFailure: Bool = false, canDefer: Bool = true) {
        self.envelope = envelope
        self.logger = logger
        self.willRetryOnFailure = willRetryOnFailure
        self.canDefer = canDefer
    }
}
