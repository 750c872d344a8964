import OttoPostgres
import OttoRedis
import OttoTasks

extension TaskRegistry {
    /// The tasks every Otto process knows, each with the clients it needs from `dependencies`;
    /// a task whose client is missing is registered as unavailable. `sweepTarget` is where the
    /// webhook sweep enqueues (the Redis queue of `dependencies` when nil).
    public static func standard(_ dependencies: TaskDependencies) -> TaskRegistry {
        var registry = TaskRegistry()
        registry.register(PingTask(redis: dependencies.redis, keys: dependencies.keys))
        registry.register(
            CleanupTask(postgres: dependencies.postgres, redis: dependencies.redis, keys: dependencies.keys))
        if let postgres = dependencies.postgres {
            registry.register(ProcessWebhookEventTask(postgres: postgres))
            if let target = dependencies.sweepTarget
                ?? dependencies.redis.map({ RedisTaskQueue(redis: $0, keys: dependencies.keys) })
            {
                registry.register(WebhookSweepTask(postgres: postgres, enqueuer: target))
            } else {
                registry.register(
                    WebhookSweepTask.self, unavailable: "needs Redis (without it, otto-api's own sweep service runs)")
            }
        } else {
            registry.register(ProcessWebhookEventTask.self, unavailable: "needs DATABASE_URL")
            registry.register(WebhookSweepTask.self, unavailable: "needs DATABASE_URL")
        }
        // The drill workflow journals in Redis: a process without Redis (otto-api in-process) has none.
        if let redis = dependencies.redis {
            registry.register(
                ChainWorkflow.workflow(redis: redis, keys: dependencies.keys),
                runtime: .chain(redis: redis, keys: dependencies.keys))
        }
        return registry
    }

    /// The standard tasks' names and defaults, for processes that only enqueue or report (none
    /// of them runnable here).
    public static let catalog: TaskRegistry = {
        var registry = TaskRegistry()
        registry.register(PingTask.self, unavailable: "enqueue only")
        registry.register(CleanupTask.self, unavailable: "enqueue only")
        registry.register(ProcessWebhookEventTask.self, unavailable: "enqueue only")
        registry.register(WebhookSweepTask.self, unavailable: "enqueue only")
        registry.register(ChainWorkflow.workflow(redis: nil, keys: RedisKeys()), unavailable: "enqueue only")
        return registry
    }()
}

extension WorkflowRuntime {
    /// The runtime of the `otto.chain` drill: journaled in Redis, every step straight to its queue.
    public static func chain(redis: RedisClient, keys: RedisKeys) -> WorkflowRuntime {
        WorkflowRuntime(redis: redis, keys: keys, journal: RedisWorkflowJournal(redis: redis, keys: keys))
    }
}
