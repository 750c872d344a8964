/// Every Redis key Otto uses, built from `REDIS_KEY_PREFIX`.
///
/// The keys of one queue share the hash tag `{queue}` so that a queue's Lua scripts touch a
/// single Redis Cluster slot (and satisfy Upstash, whose scripts must declare their keys).
public struct RedisKeys: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String = "otto:") { self.prefix = prefix }

    /// Sorted set of live worker ids scored by their last beat (unix seconds).
    public var workers: String { "\(prefix)workers" }
    /// One worker's heartbeat record (JSON) with a TTL.
    public func worker(_ id: String) -> String { "\(prefix)worker:\(id)" }

    /// A queue's stream of ready tasks.
    public func stream(_ queue: String) -> String { "\(prefix){\(queue)}:stream" }
    /// A queue's sorted set of delayed and retrying tasks scored by due time (ms).
    public func delayed(_ queue: String) -> String { "\(prefix){\(queue)}:delayed" }
    /// A queue's dead-letter stream.
    public func dead(_ queue: String) -> String { "\(prefix){\(queue)}:dead" }
    /// The consumer group every worker of a queue joins.
    public static let consumerGroup = "otto-workers"

    /// A task's state and result hash (kept with a TTL).
    public func task(_ id: String) -> String { "\(prefix)task:\(id)" }

    /// The beat's leader lease.
    public var beatLeader: String { "\(prefix)beat:leader" }
    /// Hash of schedule name → last tick enqueued (unix seconds).
    public var beatLastRun: String { "\(prefix)beat:last" }
    /// Unix seconds at which the last pipeline canary completed.
    public var canaryCompleted: String { "\(prefix)canary:completed" }
    /// Rate-limit bucket for a route group and a client key.
    public func rateLimit(_ group: String, _ key: String) -> String { "\(prefix)ratelimit:\(group):\(key)" }
}
