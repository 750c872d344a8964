import OttoSupport

extension TaskEnvelope {
    /// The envelope of a new task's first attempt, with the registry's defaults for what
    /// `options` leaves open. Shared by the Redis queue and the in-process runner, so both give
    /// a task the same id, queue, attempts, due time and time limit.
    public static func first(
        name: String, arguments: String, options: EnqueueOptions, registry: TaskRegistry
    ) throws -> TaskEnvelope {
        let entry = registry.entry(named: name)
        let queue = options.queue ?? entry?.defaultQueue ?? "default"
        guard QueueName.isValid(queue) else { throw TaskError(.invalidQueue, detail: queue) }
        let now = UnixTime.now()
        let due = options.notBefore ?? (now + max(0, options.delay))
        return TaskEnvelope(
            id: FastRandom.uuidString(), name: name, arguments: arguments, queue: queue, attempt: 1,
            maxAttempts: max(1, options.maxAttempts ?? entry?.maxAttempts ?? 5),
            enqueuedAt: (now * 1000).rounded() / 1000,
            dueAt: (max(now, due) * 1000).rounded() / 1000, tenantID: options.tenantID, dedupKey: options.dedupKey,
            traceparent: options.traceparent, timeLimit: entry?.timeLimit.inSeconds ?? 300,
            resultTTL: options.resultTTL, lastError: nil)
    }
}
