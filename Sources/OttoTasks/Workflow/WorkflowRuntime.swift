import OttoRedis
import OttoSupport

/// What a workflow's step tasks and its engine share: where state is journaled and how steps
/// reach their queue.
public struct WorkflowRuntime: Sendable {
    public let redis: RedisClient
    public let keys: RedisKeys
    public let journal: any WorkflowJournal
    public let admission: any WorkflowAdmission

    /// `admission` nil: ``DirectAdmission`` (every step straight to its queue).
    public init(
        redis: RedisClient, keys: RedisKeys, journal: any WorkflowJournal, admission: (any WorkflowAdmission)? = nil
    ) {
        self.redis = redis
        self.keys = keys
        self.journal = journal
        self.admission = admission ?? DirectAdmission(redis: redis, keys: keys)
    }

    /// The envelope of one step's first attempt, with the step's attempts and time limit and the
    /// run's de-duplication key (plus `dedupSuffix` for a resume).
    static func envelope(
        _ descriptor: WorkflowDescriptor, ref: WorkflowStepRef, inputJSON: String, traceparent: String?,
        maxAttempts: Int, timeLimit: Duration, dedupSuffix: String = ""
    ) throws -> TaskEnvelope {
        let now = (UnixTime.now() * 1000).rounded() / 1000
        let message = try TaskJSON.encode(WorkflowMessage(ref: ref, input: inputJSON))
        return TaskEnvelope(
            id: FastRandom.uuidString(), name: descriptor.taskName(ref.step), arguments: message,
            queue: descriptor.queue, attempt: 1, maxAttempts: maxAttempts, enqueuedAt: now, dueAt: now,
            tenantID: ref.tenantID,
            dedupKey: descriptor.dedupKey(subjectID: ref.subjectID, run: ref.run, step: ref.step) + dedupSuffix,
            traceparent: traceparent, timeLimit: timeLimit.inSeconds, resultTTL: nil, lastError: nil)
    }
}
