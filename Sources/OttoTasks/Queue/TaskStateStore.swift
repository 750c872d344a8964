import OttoRedis
import OttoSupport

/// Task state and results for tasks enqueued with a result TTL (`GET /v1/tasks/{id}`).
///
/// Kept outside the queue's hash tag and written with plain commands, so tracking never joins
/// the queue's scripts.
public struct TaskStateStore: Sendable {
    let redis: RedisClient
    let keys: RedisKeys

    public init(redis: RedisClient, keys: RedisKeys) {
        self.redis = redis
        self.keys = keys
    }

    /// The states a tracked task goes through.
    public enum State: String, Codable, Sendable {
        case queued, running, succeeded, failed, dead
    }

    /// A tracked task as the API reports it.
    public struct Record: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var queue: String
        public var state: State
        public var attempt: Int
        public var tenantID: String?
        public var result: String?
        public var error: String?
        public var enqueuedAt: Double?
        public var finishedAt: Double?
    }

    func markQueued(_ envelope: TaskEnvelope) async throws {
        guard let ttl = envelope.resultTTL else { return }
        var fields = [
            "HSET", keys.task(envelope.id), "id", envelope.id, "name", envelope.name, "queue", envelope.queue, "state",
            State.queued.rawValue, "attempt", String(envelope.attempt), "enqueued_at", String(envelope.enqueuedAt),
        ]
        if let tenant = envelope.tenantID { fields += ["tenant_id", tenant] }
        _ = try await redis.pipeline([fields, ["EXPIRE", keys.task(envelope.id), String(ttl)]])
    }

    func mark(_ envelope: TaskEnvelope, state: State, result: String? = nil, error: String? = nil) async throws {
        guard let ttl = envelope.resultTTL else { return }
        var fields = [
            "HSET", keys.task(envelope.id), "state", state.rawValue, "attempt", String(envelope.attempt), "name",
            envelope.name, "queue", envelope.queue, "id", envelope.id,
        ]
        if let tenant = envelope.tenantID { fields += ["tenant_id", tenant] }
        if let result { fields += ["result", result] }
        if let error { fields += ["error", error] }
        if state != .running && state != .queued { fields += ["finished_at", String(UnixTime.now())] }
        _ = try await redis.pipeline([fields, ["EXPIRE", keys.task(envelope.id), String(ttl)]])
    }

    /// The record of a tracked task, or nil when unknown or expired.
    public func record(id: String) async throws -> Record? {
        let reply = try await redis.send(["HGETALL", keys.task(id)])
        let fields = QueueDepth.fields(of: reply)
        guard let name = fields["name"]?.string, let stateText = fields["state"]?.string,
            let state = State(rawValue: stateText)
        else { return nil }
        return Record(
            id: id, name: name, queue: fields["queue"]?.string ?? "default", state: state,
            attempt: fields["attempt"]?.int ?? 1, tenantID: fields["tenant_id"]?.string,
            result: fields["result"]?.string,
            error: fields["error"]?.string, enqueuedAt: fields["enqueued_at"]?.string.flatMap(Double.init),
            finishedAt: fields["finished_at"]?.string.flatMap(Double.init))
    }
}
