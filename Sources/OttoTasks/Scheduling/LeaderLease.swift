import OttoRedis
import OttoSupport

/// A lease in Redis that at most one beat holds: acquired with SET NX PX, renewed and released
/// only by its holder (compare-and-set scripts).
public struct LeaderLease: Sendable {
    let redis: RedisClient
    let key: String
    let holder: String
    let ttl: Duration

    public init(redis: RedisClient, key: String, holder: String, ttl: Duration) {
        self.redis = redis
        self.key = key
        self.holder = holder
        self.ttl = ttl
    }

    /// Acquires the lease or renews it; true while this process holds it.
    public func acquireOrRenew() async throws -> Bool {
        try await redis.eval(QueueScripts.acquireLease, keys: [key], arguments: [holder, String(ttl.inMilliseconds)])
            .int == 1
    }

    /// Gives the lease up so another beat takes over at once.
    public func release() async throws {
        _ = try await redis.eval(QueueScripts.releaseLease, keys: [key], arguments: [holder])
    }
}
