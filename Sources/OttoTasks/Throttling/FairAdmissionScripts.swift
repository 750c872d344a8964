import OttoRedis

/// The Lua scripts of ``FairAdmission``, one per operation, each atomic. Every key of a call
/// carries the queue's hash tag (one Redis Cluster slot, as the queue's own scripts).
///
/// The tenant keys of one call, in this order: KEYS[1] active (holder → lease expiry ms),
/// KEYS[2] backlog (waiting holders, oldest first), KEYS[3] entries (holder →
/// "submitted ms|due ms|envelope"), KEYS[4] waiting tenants, KEYS[5] known tenants, KEYS[6]
/// stream, KEYS[7] delayed set. ARGV[1] tenant, ARGV[2] holder, ARGV[3] limit, ARGV[4] lease ms.
enum FairAdmissionScripts {
    /// Redis' clock, "to the stream" as ``RedisTaskQueue/enqueue(name:arguments:options:)``
    /// stores a task (XADD, or ZADD to the delayed set scored by due ms when due later), and the
    /// admission of waiting holders, oldest first, while the tenant has a free slot.
    static let prelude = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function toStream(stream, delayed, envelope, due)
          if due > now then
            redis.call('ZADD', delayed, due, envelope)
          else
            redis.call('XADD', stream, '*', 't', envelope)
          end
        end
        local function fill(active, backlog, entries, limit, lease, stream, delayed)
          local admitted = 0
          while redis.call('ZCARD', active) < limit do
            local holder = redis.call('LPOP', backlog)
            if not holder then break end
            local entry = redis.call('HGET', entries, holder)
            if entry then
              redis.call('HDEL', entries, holder)
              local _, due, envelope = string.match(entry, '^(%d+)|(%d+)|(.*)$')
              redis.call('ZADD', active, now + lease, holder)
              toStream(stream, delayed, envelope, tonumber(due))
              admitted = admitted + 1
            end
          end
          return admitted
        end
        local function forget(tenant)
          if redis.call('LLEN', KEYS[2]) == 0 then
            redis.call('SREM', KEYS[4], tenant)
            if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[5], tenant) end
          end
        end

        """

    /// A workflow's first step (or a restart's). KEYS: the tenant keys, KEYS[8] dedup.
    /// ARGV: the common four, ARGV[5] envelope, ARGV[6] due ms, ARGV[7] dedup TTL s ('' = none),
    /// ARGV[8] task id. Returns "admitted", "waiting" or "duplicate".
    ///
    /// Slots freed by expired leases go to the backlog's oldest first, so a new submission never
    /// overtakes waiting ones. A holder already waiting keeps its place and takes the newer envelope.
    static let submit = RedisScript(
        prelude + """
            if ARGV[7] ~= '' then
              if not redis.call('SET', KEYS[8], ARGV[8], 'NX', 'EX', ARGV[7]) then return 'duplicate' end
            end
            local limit = tonumber(ARGV[3])
            local lease = tonumber(ARGV[4])
            redis.call('SADD', KEYS[5], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
              redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
              toStream(KEYS[6], KEYS[7], ARGV[5], tonumber(ARGV[6]))
              return 'admitted'
            end
            local waiting = redis.call('HGET', KEYS[3], ARGV[2])
            if waiting then
              local submitted = string.match(waiting, '^(%d+)|')
              redis.call('HSET', KEYS[3], ARGV[2], submitted .. '|' .. ARGV[6] .. '|' .. ARGV[5])
              fill(KEYS[1], KEYS[2], KEYS[3], limit, lease, KEYS[6], KEYS[7])
              forget(ARGV[1])
              if redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 'admitted' end
              return 'waiting'
            end
            fill(KEYS[1], KEYS[2], KEYS[3], limit, lease, KEYS[6], KEYS[7])
            if redis.call('ZCARD', KEYS[1]) < limit then
              redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
              toStream(KEYS[6], KEYS[7], ARGV[5], tonumber(ARGV[6]))
              forget(ARGV[1])
              return 'admitted'
            end
            redis.call('RPUSH', KEYS[2], ARGV[2])
            redis.call('HSET', KEYS[3], ARGV[2], string.format('%d', now) .. '|' .. ARGV[6] .. '|' .. ARGV[5])
            redis.call('SADD', KEYS[4], ARGV[1])
            return 'waiting'
            """)

    /// The next step of an admitted workflow: to the stream, lease renewed. KEYS[1] active,
    /// KEYS[5] known tenants, KEYS[6] stream, KEYS[7] delayed, KEYS[8] dedup (KEYS[2..4] unused,
    /// declared for the cluster). ARGV: the common four, ARGV[5..8] as submit's.
    /// Returns "admitted" or "duplicate".
    ///
    /// A holder whose lease expired (rebalancing gave its slot away) is added back: its workflow
    /// is running, and stalling it would not give the slot back to anyone sooner.
    static let advance = RedisScript(
        prelude + """
            if ARGV[7] ~= '' then
              if not redis.call('SET', KEYS[8], ARGV[8], 'NX', 'EX', ARGV[7]) then return 'duplicate' end
            end
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[2])
            redis.call('SADD', KEYS[5], ARGV[1])
            toStream(KEYS[6], KEYS[7], ARGV[5], tonumber(ARGV[6]))
            return 'admitted'
            """)

    /// Ends a workflow's hold (ARGV[2] '' = none: rebalancing) and admits the tenant's oldest
    /// waiting holders into the free slots. KEYS: the tenant keys. Returns how many were admitted.
    static let release = RedisScript(
        prelude + """
            if ARGV[2] ~= '' then
              redis.call('ZREM', KEYS[1], ARGV[2])
              if redis.call('HDEL', KEYS[3], ARGV[2]) == 1 then redis.call('LREM', KEYS[2], 1, ARGV[2]) end
            end
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local admitted = fill(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[3]), tonumber(ARGV[4]), KEYS[6], KEYS[7])
            forget(ARGV[1])
            return admitted
            """)

    /// Renews an admitted holder's lease. KEYS[1] active. ARGV[1] holder, ARGV[2] lease ms.
    /// Returns 1, or 0 when the holder is not admitted.
    static let renew = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        return 1
        """)

    /// A tenant's state, read only. KEYS[1] active, KEYS[2] backlog, KEYS[3] entries.
    /// Returns {live leases, waiting, oldest waiting's submission ms or 0}.
    static let backlog = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local active = redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%d', now), '+inf')
        local waiting = redis.call('HLEN', KEYS[3])
        local oldest = 0
        local head = redis.call('LINDEX', KEYS[2], 0)
        if head then
          local entry = redis.call('HGET', KEYS[3], head)
          if entry then oldest = tonumber(string.match(entry, '^(%d+)|')) end
        end
        return {active, waiting, oldest}
        """)
}
