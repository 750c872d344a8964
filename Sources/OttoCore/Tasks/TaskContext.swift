import Logging
import OttoPostgres
import OttoRedis

/// What a running task gets: its identity, a logger carrying task metadata, and the clients it needs.
public struct TaskContext: Sendable {
    public var envelope: TaskEnvelope
    /// Carries `task_id`, `task_name`, `queue`, `attempt` and `trace_id`.
    public var logger: Logger
    public var redis: RedisClient?
    public var postgres: PostgresPool?
    public var keys: RedisKeys

    public var taskID: String { envelope.id }
    public var attempt: Int { envelope.attempt }

    public init(envelope: TaskEnvelope, logger: Logger, redis: RedisClient?, postgres: PostgresPool?, keys: RedisKeys) {
        self.envelope = envelope
        self.logger = logger
        self.redis = redis
        self.postgres = postgres
        self.keys = keys
    }
}
