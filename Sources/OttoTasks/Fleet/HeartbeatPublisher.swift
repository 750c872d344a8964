import Logging
import OttoRedis
import OttoSupport
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Publishes a worker's heartbeat every ``WorkerHeartbeat/interval`` until graceful shutdown,
/// then removes it so the fleet view drops the worker at once.
public struct HeartbeatPublisher: Service {
    let redis: RedisClient
    let keys: RedisKeys
    let logger: Logger
    let snapshot: @Sendable () -> WorkerHeartbeat

    /// `snapshot` returns the worker's current record; the publisher stamps `beatAt`.
    public init(
        redis: RedisClient, keys: RedisKeys, logger: Logger, snapshot: @escaping @Sendable () -> WorkerHeartbeat
    ) {
        self.redis = redis
        self.keys = keys
        self.logger = logger
        self.snapshot = snapshot
    }

    public func run() async throws {
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await publish()
                if failing {
                    logger.info("heartbeat restored")
                    failing = false
                }
            } catch {
                if !failing {
                    logger.warning("heartbeat not published; retrying", metadata: ["error": "\(error)"])
                    failing = true
                }
            }
            await sleepUnlessShuttingDown(for: WorkerHeartbeat.interval)
        }
        let record = snapshot()
        _ = try? await redis.pipeline([["DEL", keys.worker(record.id)], ["ZREM", keys.workers, record.id]])
    }

    /// Writes the record with its TTL and prunes workers that stopped beating.
    public func publish() async throws {
        var record = snapshot()
        let now = UnixTime.now()
        record.beatAt = now
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        let replies = try await redis.pipeline([
            ["SET", keys.worker(record.id), json, "EX", String(WorkerHeartbeat.timeToLive)],
            ["ZADD", keys.workers, String(now), record.id],
            ["ZREMRANGEBYSCORE", keys.workers, "-inf", String(now - Double(WorkerHeartbeat.timeToLive))],
        ])
        if let failure = replies.first(where: { if case .error = $0 { return true } else { return false } }) {
            throw RedisError(code: .server, serverMessage: failure.string)
        }
    }
}
