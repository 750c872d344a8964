import OttoRedis
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads what the worker fleet publishes in Redis: live heartbeats and queue depths.
public struct WorkerFleet: Sendable {
    let redis: RedisClient
    let keys: RedisKeys

    public init(redis: RedisClient, keys: RedisKeys) {
        self.redis = redis
        self.keys = keys
    }

    /// Whether at least one worker has beaten within the heartbeat TTL (one cheap ZCOUNT).
    public func hasLiveWorker(now: Double = UnixTime.now()) async throws -> Bool {
        let minimum = now - Double(WorkerHeartbeat.timeToLive)
        let count = try await redis.send(["ZCOUNT", keys.workers, String(minimum), "+inf"])
        return (count.int ?? 0) > 0
    }

    /// The heartbeats of every live worker, newest first.
    public func liveWorkers(now: Double = UnixTime.now()) async throws -> [WorkerHeartbeat] {
        let minimum = now - Double(WorkerHeartbeat.timeToLive)
        let ids = try await redis.send(["ZRANGEBYSCORE", keys.workers, String(minimum), "+inf"])
        let names = (ids.array ?? []).compactMap(\.string)
        guard !names.isEmpty else { return [] }
        let replies = try await redis.pipeline(names.map { ["GET", keys.worker($0)] })
        let decoder = JSONDecoder()
        return replies.compactMap { reply -> WorkerHeartbeat? in
            guard case .bulkString(let bytes) = reply else { return nil }
            return try? decoder.decode(WorkerHeartbeat.self, from: Data(bytes))
        }
        .sorted { $0.beatAt > $1.beatAt }
    }

    /// Depth of each queue: waiting (not yet delivered), pending (delivered, not acknowledged),
    /// delayed (waiting for their time) and dead (dead-lettered).
    public func queueDepths(_ queues: [String]) async throws -> [String: QueueDepth] {
        var commands: [[String]] = []
        for queue in queues {
            commands.append(["XINFO", "GROUPS", keys.stream(queue)])
            commands.append(["XLEN", keys.stream(queue)])
            commands.append(["ZCARD", keys.delayed(queue)])
            commands.append(["XLEN", keys.dead(queue)])
        }
        let replies = try await redis.pipeline(commands)
        var result: [String: QueueDepth] = [:]
        for (index, queue) in queues.enumerated() {
            let base = index * 4
            var depth = QueueDepth()
            let length = replies[base + 1].int ?? 0
            depth.waiting = length
            if let groups = replies[base].array {
                for group in groups {
                    let fields = QueueDepth.fields(of: group)
                    guard fields["name"]?.string == RedisKeys.consumerGroup else { continue }
                    depth.pending = fields["pending"]?.int ?? 0
                    if let lag = fields["lag"]?.int {
                        depth.waiting = lag
                    } else {
                        depth.waiting = max(0, length - depth.pending)
                    }
                }
            }
            depth.delayed = replies[base + 2].int ?? 0
            depth.dead = replies[base + 3].int ?? 0
            result[queue] = depth
        }
        return result
    }
}

/// How many tasks a queue holds in each state.
public struct QueueDepth: Codable, Sendable, Hashable {
    public var waiting = 0
    public var pending = 0
    public var delayed = 0
    public var dead = 0

    public init(waiting: Int = 0, pending: Int = 0, delayed: Int = 0, dead: Int = 0) {
        self.waiting = waiting
        self.pending = pending
        self.delayed = delayed
        self.dead = dead
    }

    /// A flat RESP2 field/value array as a dictionary.
    static func fields(of value: RedisValue) -> [String: RedisValue] {
        guard let items = value.array else { return [:] }
        var result: [String: RedisValue] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string { result[key] = items[index + 1] }
            index += 2
        }
        return result
    }
}
