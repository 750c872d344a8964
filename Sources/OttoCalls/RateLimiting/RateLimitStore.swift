import OttoRedis
import OttoSupport

/// GCRA (generic cell rate algorithm) buckets in Redis: one atomic Lua script per decision, one
/// key per route group and subject, holding the theoretical arrival time in milliseconds.
///
/// A rule of `limit` per `period` spaces requests `period / limit` apart and allows a burst of
/// `limit`. The key expires when the bucket is full again, so idle subjects cost no memory.
/// The API's rate limiter decides what a failure means (its fail policy); this store only
/// takes from a bucket.
public struct RateLimitStore: Sendable {
    private let redis: RedisClient
    private let keyPrefix: String

    /// Buckets under `keyPrefix` (`REDIS_KEY_PREFIX`) in `redis`.
    public init(redis: RedisClient, keyPrefix: String) {
        self.redis = redis
        self.keyPrefix = keyPrefix
    }

    /// What one take from a bucket found.
    public struct Outcome: Sendable, Equatable {
        /// Whether the request fits the rule.
        public var allowed: Bool
        /// Requests left in the current burst.
        public var remaining: Int
        /// Milliseconds until the bucket is full again.
        public var resetMilliseconds: Int
        /// Milliseconds until a limited request would be allowed (0 when allowed).
        public var retryAfterMilliseconds: Int
    }

    /// The script answered something other than four integers.
    public struct UnexpectedReply: Error {}

    /// KEYS[1] the bucket; ARGV: now (ms), emission interval (fractional ms), burst tolerance
    /// (ms), limit.
    /// Returns {allowed, remaining, reset ms, retry-after ms}.
    static let script = RedisScript(
        """
        local now = tonumber(ARGV[1])
        local interval = tonumber(ARGV[2])
        local tolerance = tonumber(ARGV[3])
        local limit = tonumber(ARGV[4])
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local new_tat = tat + interval
        local allow_at = new_tat - tolerance
        if now < allow_at then
          return {0, 0, tat - now, allow_at - now}
        end
        redis.call('SET', KEYS[1], new_tat, 'PX', math.max(1, math.ceil(new_tat - now)))
        local remaining = math.floor((now + tolerance - new_tat) / interval + 1e-9)
        if remaining > limit - 1 then remaining = limit - 1 end
        if remaining < 0 then remaining = 0 end
        return {1, remaining, new_tat - now, 0}
        """)

    /// Takes one request of `subject` from the `group` bucket under `rule`.
    ///
    /// The Redis client does not abandon a command on cancellation: a caller that stops waiting
    /// leaves the command to finish within the client's own command timeout.
    public func take(group: String, subject: String, rule: RateLimitRule, now: Double = UnixTime.now())
        async throws -> Outcome
    {
        let periodMs = rule.periodSeconds * 1000
        // Fractional milliseconds: limits above 1000 per second keep their full burst.
        let interval = Double(periodMs) / Double(rule.limit)
        // The hash tag keeps the key on one Cluster slot; subjects are length-bounded by the caller.
        let key = "\(keyPrefix)ratelimit:{\(group):\(subject)}"
        let arguments = [String(Int(now * 1000)), String(interval), String(periodMs), String(rule.limit)]
        let reply = try await redis.eval(Self.script, keys: [key], arguments: arguments)
        guard let values = reply.array, values.count == 4, let allowed = values[0].int,
            let remaining = values[1].int, let resetMs = values[2].int, let retryMs = values[3].int
        else { throw UnexpectedReply() }
        return Outcome(
            allowed: allowed == 1, remaining: remaining, resetMilliseconds: resetMs, retryAfterMilliseconds: retryMs)
    }
}
