import OttoRedis
import OttoSupport

/// The admission of a workflow with no fairness between tenants: every step goes straight to
/// its queue (the stream, or the delayed set when it is not due yet), through the queue's
/// de-duplication when the envelope has a `dedupKey` (kept for a day).
public struct DirectAdmission: WorkflowAdmission {
    /// How long a step's de-duplication key is kept: a day.
    public static let dedupWindow = 86_400

    let redis: RedisClient
    let keys: RedisKeys

    public init(redis: RedisClient, keys: RedisKeys) {
        self.redis = redis
        self.keys = keys
    }

    public func submit(_ envelope: TaskEnvelope, tenant: String, holder: String) async throws {
        try await enqueue(envelope)
    }

    public func advance(_ envelope: TaskEnvelope, tenant: String, holder: String) async throws {
        try await enqueue(envelope)
    }

    /// Nothing is held, so nothing is freed.
    public func release(tenant: String, holder: String) async throws {}

    /// Adds `envelope` to its queue; false when its de-duplication key was already used.
    @discardableResult
    public func enqueue(_ envelope: TaskEnvelope) async throws -> Bool {
        let delayed = envelope.dueAt > UnixTime.now() + 0.001
        let reply = try await redis.eval(
            QueueScripts.enqueue,
            keys: [
                keys.stream(envelope.queue), keys.delayed(envelope.queue),
                keys.dedup(queue: envelope.queue, envelope.dedupKey ?? "none"),
            ],
            arguments: [
                try envelope.encoded(), delayed ? String(Int64(envelope.dueAt * 1000)) : "0",
                envelope.dedupKey == nil ? "" : String(Self.dedupWindow), envelope.id,
            ])
        return reply.array?.first?.int == 1
    }
}
