import OttoPostgres
import OttoRedis
import OttoTasks

/// The clients that tasks are registered with.
public struct TaskDependencies: Sendable {
    public var postgres: PostgresPool?
    public var redis: RedisClient?
    public var keys: RedisKeys
    /// Where the webhook sweep enqueues; the Redis queue when nil.
    public var sweepTarget: (any TaskEnqueuer)?

    public init(
        postgres: PostgresPool?, redis: RedisClient?, keys: RedisKeys, sweepTarget: (any TaskEnqueuer)? = nil
    ) {
        self.postgres = postgres
        self.redis = redis
        self.keys = keys
        self.sweepTarget = sweepTarget
    }
}
