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
    /// The call pipeline's provider clients and limits: otto-worker's, nil elsewhere (the
    /// pipeline's steps then are not registered, and recordings wait in PostgreSQL for a worker).
    public var pipeline: CallPipelineDependencies?
    /// The pipeline's workflows of one tenant in the queue at once (`PIPELINE_TENANT_CONCURRENCY`).
    public var pipelineTenantConcurrency: Int

    public init(
        postgres: PostgresPool?, redis: RedisClient?, keys: RedisKeys, sweepTarget: (any TaskEnqueuer)? = nil,
        pipeline: CallPipelineDependencies? = nil, pipelineTenantConcurrency: Int = 4
    ) {
        self.postgres = postgres
        self.redis = redis
        self.keys = keys
        self.sweepTarget = sweepTarget
        self.pipeline = pipeline
        self.pipelineTenantConcurrency = pipelineTenantConcurrency
    }
}
