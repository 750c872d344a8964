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
            var pipeline: (any CallPipelineDispatch)?
            if let redis = dependencies.redis, let clients = dependencies.pipeline {
                pipeline = registry.registerCallPipeline(
                    clients, postgres: postgres, redis: redis, keys: dependencies.keys,
                    tenantConcurrency: dependencies.pipelineTenantConcurrency)
            }
            registry.register(ProcessWebhookEventTask(postgres: postgres, pipeline: pipeline))
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

extension TaskRegistry {
    /// Registers the `call_analysis` workflow's steps, journaled in PostgreSQL and admitted
    /// fairly per tenant; returns the dispatch that starts a begun run.
    mutating func registerCallPipeline(
        _ dependencies: CallPipelineDependencies, postgres: PostgresPool, redis: RedisClient, keys: RedisKeys,
        tenantConcurrency: Int
    ) -> any CallPipelineDispatch {
        let runtime = WorkflowRuntime.callPipeline(
            postgres: postgres, redis: redis, keys: keys, tenantConcurrency: tenantConcurrency)
        let workflow = CallPipelineWorkflow.workflow(dependencies)
        register(workflow, runtime: runtime)
        return EngineCallPipelineDispatch(
            engine: WorkflowEngine(runtime: runtime, workflows: [workflow.descriptor], registry: self))
    }
}

extension WorkflowRuntime {
    /// The call pipeline's runtime: its journal is PostgreSQL (the source of truth, which the
    /// workflow sweep reads), its admission fair per tenant.
    public static func callPipeline(postgres: PostgresPool, redis: RedisClient, keys: RedisKeys, tenantConcurrency: Int)
        -> WorkflowRuntime
    {
        WorkflowRuntime(
            redis: redis, keys: keys, journal: PostgresWorkflowJournal(pool: postgres),
            admission: FairAdmission.callPipeline(redis: redis, keys: keys, tenantConcurrency: tenantConcurrency))
    }

    /// The runtime of the `otto.chain` drill: journaled in Redis, every step straight to its queue.
    public static func chain(redis: RedisClient, keys: RedisKeys) -> WorkflowRuntime {
        WorkflowRuntime(redis: redis, keys: keys, journal: RedisWorkflowJournal(redis: redis, keys: keys))
    }
}
