import Logging
import OttoRedis

/// What a running task gets: its envelope and a logger carrying task metadata. The clients a
/// task needs are its own, given when it is registered (``TaskRegistry/standard(_:)``).
public struct TaskContext: Sendable {
    public var envelope: TaskEnvelope
    /// Carries `task_id`, `task_name`, `queue`, `attempt` and `trace_id`.
    public var logger: Logger

    public var taskID: String { envelope.id }
    public var attempt: Int { envelope.attempt }

    public init(envelope: TaskEnvelope, logger: Logger) {
        self.envelope = envelope
        self.logger = logger
    }
}
