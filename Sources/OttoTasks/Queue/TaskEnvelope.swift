#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything a worker needs to run one task, stored as one JSON field of a stream entry.
public struct TaskEnvelope: Codable, Sendable, Equatable {
    /// Unique id (a UUID), stable across retries.
    public var id: String
    /// The registered task name (`otto.ping`).
    public var name: String
    /// The task's arguments as JSON text.
    public var arguments: String
    public var queue: String
    /// 1 for the first run, incremented by each retry.
    public var attempt: Int
    public var maxAttempts: Int
    /// Unix seconds (millisecond precision) of the original enqueue.
    public var enqueuedAt: Double
    /// Unix seconds at which this attempt became due (enqueue time, or the end of a delay).
    public var dueAt: Double
    public var tenantID: String?
    public var dedupKey: String?
    /// W3C `traceparent` of the request that caused the task.
    public var traceparent: String?
    /// Seconds a run may take before it is cancelled and counted as failed.
    public var timeLimit: Double
    /// When set, state and result are kept under `task:<id>` for this many seconds.
    public var resultTTL: Int?
    /// The last attempt's error (for retries and dead letters).
    public var lastError: String?
    /// Unix seconds of the first failed attempt; a policy that spans outages retries until
    /// `DATABASE_RETRY_SPAN` has passed since then. Absent until a failure (and in envelopes of
    /// earlier releases, which decode it as the time of the failure at hand).
    public var firstFailedAt: Double? = nil
    /// Times the task was deferred (``TaskDeferral``) without spending an attempt. Absent until
    /// the first deferral (and in envelopes of earlier releases).
    public var deferrals: Int? = nil
    /// Unix seconds of the first deferral; once the worker's deferral span has passed since
    /// then, a deferral counts as a failed attempt.
    public var firstDeferredAt: Double? = nil

    enum CodingKeys: String, CodingKey {
        case id, name, queue, attempt
        case arguments = "args"
        case maxAttempts = "max_attempts"
        case enqueuedAt = "enqueued_at"
        case dueAt = "due_at"
        case tenantID = "tenant_id"
        case dedupKey = "dedup_key"
        case traceparent
        case timeLimit = "time_limit"
        case resultTTL = "result_ttl"
        case lastError = "last_error"
        case firstFailedAt = "first_failed_at"
        case deferrals
        case firstDeferredAt = "first_deferred_at"
    }

    /// The trace id part of `traceparent` (32 hex digits), for log lines.
    public var traceID: String? {
        guard let traceparent else { return nil }
        let parts = traceparent.split(separator: "-")
        return parts.count >= 4 && parts[1].count == 32 ? String(parts[1]) : nil
    }

    public func encoded() throws -> String {
        try TaskEnvelopeWriter.json(self)
    }

    /// The envelope `text` holds: read by ``TaskEnvelopeParser`` when it is the flat JSON that
    /// ``encoded()`` writes, by `JSONDecoder` otherwise (with its errors).
    public static func decode(_ text: String) throws -> TaskEnvelope {
        if let envelope = TaskEnvelopeParser.parse(text) { return envelope }
        return try JSONDecoder().decode(TaskEnvelope.self, from: Data(text.utf8))
    }
}
