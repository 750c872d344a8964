import OttoRedis
import OttoSupport

/// The fleet as operators see it: queues, live workers and the pipeline canary.
/// `otto-worker inspect --json` and `/internal/worker/heartbeat` print this same shape.
public struct FleetSnapshot: Codable, Sendable, Hashable {
    public var queues: [String: QueueDepth]
    public var workers: [Worker]
    public var canary: Canary

    /// One live worker, as DESIGN.md's operator interface lists it.
    public struct Worker: Codable, Sendable, Hashable {
        public var id: String
        public var host: String
        public var pid: Int
        public var queues: [String]
        public var concurrency: Int
        public var inFlight: Int
        public var processed: Int
        public var failed: Int
        public var ageSeconds: Double

        enum CodingKeys: String, CodingKey {
            case id, host, pid, queues, concurrency, processed, failed
            case inFlight = "in_flight"
            case ageSeconds = "age_s"
        }
    }

    /// How long ago the last beat canary completed (nil when never).
    public struct Canary: Codable, Sendable, Hashable {
        public var lastCompletedAgeSeconds: Double?
        enum CodingKeys: String, CodingKey { case lastCompletedAgeSeconds = "last_completed_age_s" }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lastCompletedAgeSeconds, forKey: .lastCompletedAgeSeconds)  // null, not absent
        }
    }

    /// The queues every fleet knows about, plus those its workers name.
    public static let defaultQueues = ["critical", "default", "low"]

    /// Reads heartbeats, queue depths and the canary from Redis.
    public static func read(redis: RedisClient, keys: RedisKeys, now: Double = UnixTime.now()) async throws
        -> FleetSnapshot
    {
        let fleet = WorkerFleet(redis: redis, keys: keys)
        let heartbeats = try await fleet.liveWorkers(now: now)
        var queueNames = defaultQueues
        for name in heartbeats.flatMap(\.queues) where !queueNames.contains(name) { queueNames.append(name) }
        let depths = try await fleet.queueDepths(queueNames)
        let canary = try await redis.send(["GET", keys.canaryCompleted])
        let age = canary.string.flatMap(Double.init).map { max(0, now - $0) }
        return FleetSnapshot(
            queues: depths,
            workers: heartbeats.map {
                Worker(
                    id: $0.id, host: $0.host, pid: $0.pid, queues: $0.queues, concurrency: $0.concurrency,
                    inFlight: $0.inFlight, processed: $0.processed, failed: $0.failed,
                    ageSeconds: (max(0, now - $0.beatAt) * 1000).rounded() / 1000)
            },
            canary: Canary(lastCompletedAgeSeconds: age.map { ($0 * 1000).rounded() / 1000 }))
    }
}
