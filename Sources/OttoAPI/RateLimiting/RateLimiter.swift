import Logging
import NIOConcurrencyHelpers
import OttoCore

/// GCRA (generic cell rate algorithm) in Redis: one atomic Lua script per decision, one key
/// per route group and subject, holding the theoretical arrival time in milliseconds.
///
/// A rule of `limit` per `period` spaces requests `period / limit` apart and allows a burst of
/// `limit`. The key expires when the bucket is full again, so idle subjects cost no memory.
/// When Redis fails, the group's fail policy decides (`RATE_LIMIT_FAIL_OPEN`), every such
/// decision is counted, and a warning is logged at most once per `logInterval`.
final class RateLimiter: Sendable {
    let group: String
    let rule: RateLimitRule
    let failOpen: Bool
    private let redis: RedisClient
    private let keyPrefix: String
    private let metrics: APIMetrics
    private let logger: Logger
    private let logInterval: Duration
    /// The longest a request waits for a decision; a hung Redis then counts as failed, so it
    /// delays requests by at most this much instead of the Redis command timeout.
    private let decisionTimeout: Duration
    private let lastFailureLog = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    init(
        group: String, rule: RateLimitRule, failOpen: Bool, redis: RedisClient, keyPrefix: String,
        metrics: APIMetrics, logger: Logger, logInterval: Duration = .seconds(30),
        decisionTimeout: Duration = .seconds(1)
    ) {
        self.group = group
        self.rule = rule
        self.failOpen = failOpen
        self.redis = redis
        self.keyPrefix = keyPrefix
        self.metrics = metrics
        self.logger = logger
        self.logInterval = logInterval
        self.decisionTimeout = decisionTimeout
    }

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

    /// Decides for one request of `subject`; nil means "not limited" (Redis failed, fail-open).
    func decide(subject: String) async throws(Problem) -> RateLimitDecision? {
        let periodMs = rule.periodSeconds * 1000
        // Fractional milliseconds: limits above 1000 per second keep their full burst.
        let interval = Double(periodMs) / Double(rule.limit)
        // The hash tag keeps the key on one Cluster slot; subjects are length-bounded by the caller.
        let key = "\(keyPrefix)ratelimit:{\(group):\(subject)}"
        let now = Int(UnixTime.now() * 1000)
        do {
            let redis = self.redis
            let arguments = [String(now), String(interval), String(periodMs), String(rule.limit)]
            // The Redis client does not abandon a command on cancellation, so a late command is
            // left to finish within the client's own command timeout.
            let reply = try await FirstOf.value(timeout: decisionTimeout) {
                try await redis.eval(Self.script, keys: [key], arguments: arguments)
            }
            guard let values = reply.array, values.count == 4, let allowed = values[0].int,
                let remaining = values[1].int, let resetMs = values[2].int, let retryMs = values[3].int
            else { throw UnexpectedReply() }
            let decision = RateLimitDecision(
                allowed: allowed == 1, limit: rule.limit, remaining: remaining,
                resetSeconds: (resetMs + 999) / 1000, retryAfterSeconds: max(1, (retryMs + 999) / 1000))
            metrics.recordRateLimit(group: group, decision: decision.allowed ? "allowed" : "limited")
            return decision
        } catch {
            metrics.recordRateLimit(group: group, decision: failOpen ? "error_open" : "error_closed")
            logFailureOncePerInterval(error)
            if failOpen { return nil }
            throw Problem(.serviceUnavailable, detail: "Rate limiting is unavailable; retry shortly.")
        }
    }

    private func logFailureOncePerInterval(_ error: any Error) {
        let now = ContinuousClock.now
        let shouldLog = lastFailureLog.withLockedValue { last -> Bool in
            if let last, now - last < logInterval { return false }
            last = now
            return true
        }
        guard shouldLog else { return }
        logger.warning(
            "rate limiting unavailable",
            metadata: [
                "group": .string(group), "policy": .string(failOpen ? "fail_open" : "fail_closed"),
                "error": .string(String(reflecting: type(of: error))),
            ])
    }

    struct UnexpectedReply: Error {}
}
