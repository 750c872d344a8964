import Logging

/// Runs tasks inside the API process (`ENABLE_CELERY=false`): the same registry, arguments,
/// retries and task-end log line, without Redis. This is the rollback path, so it must behave
/// like the queue; what it cannot give is durability across an API restart (webhook events are
/// in PostgreSQL first, and the sweep re-enqueues any that never finished).
public struct InProcessTaskRunner: TaskEnqueuer {
    let registry: TaskRegistry
    let postgres: PostgresPool?
    let keys: RedisKeys
    let logger: Logger

    public init(registry: TaskRegistry = .standard(), postgres: PostgresPool?, keys: RedisKeys, logger: Logger) {
        self.registry = registry
        self.postgres = postgres
        self.keys = keys
        self.logger = logger
    }

    public func enqueue(name: String, arguments: String, options: EnqueueOptions) async throws -> EnqueueResult {
        guard let entry = registry.entry(named: name) else { throw TaskError(.unknownTask, detail: name) }
        var first = try TaskEnvelope.first(name: name, arguments: arguments, options: options, registry: registry)
        first.resultTTL = nil  // results are kept in Redis, which this mode does without
        let envelope = first
        let logger = self.logger
        let postgres = self.postgres
        let keys = self.keys
        // Detached on purpose: the request that enqueued must not wait for, or cancel, the task.
        Task.detached {
            var current = envelope
            let wait = current.dueAt - UnixTime.now()
            if wait > 0 { try? await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
            while true {
                var taskLogger = logger
                taskLogger[metadataKey: "task_id"] = .string(current.id)
                taskLogger[metadataKey: "task_name"] = .string(current.name)
                let start = ContinuousClock.now
                let context = TaskContext(
                    envelope: current, logger: taskLogger, redis: nil, postgres: postgres, keys: keys)
                var outcome = TaskOutcome.succeeded
                var failure: String?
                let arguments = current.arguments
                do {
                    _ = try await TaskExecutor.withTimeLimit(.seconds(Int64(current.timeLimit))) {
                        try await entry.run(arguments, context)
                    }
                } catch {
                    failure = "\(error)"
                    outcome = current.attempt < current.maxAttempts ? .retrying : .dead
                }
                TaskEndLine.log(
                    logger, name: current.name, queue: current.queue, envelope: current, outcome: outcome,
                    seconds: (ContinuousClock.now - start).inSeconds, error: failure, extra: ["mode": "in-process"])
                guard outcome == .retrying else { return }
                let delay = RetryPolicy.delay(afterAttempt: current.attempt, base: entry.retryBaseDelay)
                current.attempt += 1
                try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            }
        }
        return EnqueueResult(id: envelope.id, queue: envelope.queue, created: true)
    }
}
