import OttoRedis

/// The Lua scripts of ``OutboundLimit``. Times come from Redis' `TIME` inside each script, so
/// workers whose clocks differ still share one view of leases, windows and pauses. KEYS of one
/// call share the limit's hash tag.
enum OutboundLimitScripts {
    /// Redis' clock in unix milliseconds.
    static let clock = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        """

    /// Takes a permit. KEYS: leases, starts, pause. ARGV: permit id, concurrency, lease ms,
    /// starts per window (0 = no rate limit), window ms.
    /// Returns {1, 0} when taken, else {0, wait ms, reason} with reason "paused", "rate" or
    /// "concurrency" (wait 0: the caller picks a jittered delay).
    static let acquire = RedisScript(
        clock + """

            local pausedUntil = tonumber(redis.call('GET', KEYS[3]) or '0')
            if pausedUntil > now then return {0, pausedUntil - now, 'paused'} end
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local perWindow = tonumber(ARGV[4])
            local window = tonumber(ARGV[5])
            if perWindow > 0 then
              redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
              if redis.call('ZCARD', KEYS[2]) >= perWindow then
                local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
                return {0, math.max(1, tonumber(oldest[2]) + window - now), 'rate'}
              end
            end
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {0, 0, 'concurrency'} end
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
            if perWindow > 0 then
              redis.call('ZADD', KEYS[2], now, ARGV[1])
              redis.call('PEXPIRE', KEYS[2], window)
            end
            return {1, 0}
            """)

    /// Extends a permit that is still held. KEYS: leases. ARGV: permit id, lease ms. A released
    /// (or expired and dropped) permit is not brought back (`XX`).
    static let renew = RedisScript(
        clock + """

            return redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
            """)

    /// Pauses every caller. KEYS: pause. ARGV: duration ms. A shorter pause never shortens a
    /// longer one. Returns the pause's end (unix ms).
    static let pause = RedisScript(
        clock + """

            local current = tonumber(redis.call('GET', KEYS[1]) or '0')
            local untilMs = now + tonumber(ARGV[1])
            if untilMs <= current then return current end
            redis.call('SET', KEYS[1], string.format('%d', untilMs), 'PX', ARGV[1])
            return untilMs
            """)

    /// Reads the state without changing it. KEYS: leases, pause.
    /// Returns {permits in use, pause end ms or 0}.
    static let snapshot = RedisScript(
        clock + """

            local inUse = redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%d', now), '+inf')
            local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
            if pausedUntil <= now then pausedUntil = 0 end
            return {inUse, pausedUntil}
            """)
}
