import OttoRedis

/// The Lua scripts of the queue. Each declares every key it touches in KEYS, and all keys of a
/// call share the queue's hash tag, so they run on Redis Cluster and Upstash.
enum QueueScripts {
    /// Enqueue with optional de-duplication and delay.
    /// KEYS: stream, delayed, dedup. ARGV: envelope, due ms (0 = now), dedup TTL s ('' = none), task id.
    /// Returns {1, id} when enqueued, {0, first id} when the de-duplication key already existed.
    static let enqueue = RedisScript(
        """
        if ARGV[3] ~= '' then
          local existing = redis.call('GET', KEYS[3])
          if existing then return {0, existing} end
          redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[3])
        end
        if tonumber(ARGV[2]) > 0 then
          redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        else
          redis.call('XADD', KEYS[1], '*', 't', ARGV[1])
        end
        return {1, ARGV[4]}
        """)

    /// Moves due delayed tasks to the stream. KEYS: delayed, stream. ARGV: now ms, limit.
    /// Returns {moved, next due ms or -1}.
    static let promote = RedisScript(
        """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        for _, member in ipairs(due) do
          redis.call('XADD', KEYS[2], '*', 't', member)
          redis.call('ZREM', KEYS[1], member)
        end
        local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        local nextDue = -1
        if head[2] then nextDue = tonumber(head[2]) end
        return {#due, nextDue}
        """)

    /// Claims entries idle longer than the visibility timeout (their worker died), dead-lettering
    /// those delivered too often (a poison task that kills workers).
    /// KEYS: stream, dead. ARGV: group, consumer, min idle ms, count, max deliveries, start cursor.
    /// Returns {next cursor, entries deleted while pending, id, envelope, id, envelope, …}.
    ///
    /// The cursor carries the scan over calls: XAUTOCLAIM looks at most count × 10 pending
    /// entries per call, so always starting at 0-0 would never reach idle entries behind a long
    /// run of busy ones. Entries deleted from the stream while pending (a trim, an operator's
    /// XDEL): Redis 7 drops them from the pending list and lists their ids in a third element;
    /// their task is gone, so each leaves a dead letter saying so instead of vanishing. Redis
    /// before 7 answers such an entry with nil (false in Lua), which is skipped, never indexed.
    static let reclaim = RedisScript(
        """
        local result = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[6], 'COUNT', tonumber(ARGV[4]))
        local reply = {result[1], 0}
        for _, entry in ipairs(result[2]) do
          if type(entry) == 'table' and entry[1] then
            local id = entry[1]
            local fields = entry[2]
            local envelope = ''
            if type(fields) == 'table' then
              for i = 1, #fields, 2 do if fields[i] == 't' then envelope = fields[i + 1] end end
            end
            local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
            local deliveries = 0
            if pending[1] then deliveries = tonumber(pending[1][4]) end
            if deliveries > tonumber(ARGV[5]) or envelope == '' then
              redis.call('XADD', KEYS[2], '*', 't', envelope, 'reason', 'delivered ' .. deliveries .. ' times without completing')
              redis.call('XACK', KEYS[1], ARGV[1], id)
              redis.call('XDEL', KEYS[1], id)
            else
              table.insert(reply, id)
              table.insert(reply, envelope)
            end
          end
        end
        if type(result[3]) == 'table' then
          for _, id in ipairs(result[3]) do
            redis.call('XADD', KEYS[2], '*', 't', '', 'reason',
              'entry ' .. id .. ' was deleted from the stream while pending; its task is gone')
          end
          reply[2] = #result[3]
        end
        return reply
        """)

    /// Acknowledges an attempt and schedules the next one. KEYS: stream, delayed.
    /// ARGV: group, entry id, next envelope, due ms.
    static let retry = RedisScript(
        """
        redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        return 1
        """)

    /// Acknowledges an attempt and moves the task to the dead-letter stream. KEYS: stream, dead.
    /// ARGV: group, entry id, envelope, reason.
    static let bury = RedisScript(
        """
        redis.call('XADD', KEYS[2], '*', 't', ARGV[3], 'reason', ARGV[4])
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        return 1
        """)

    /// Moves one dead letter back to its stream with a fresh attempt count. KEYS: dead, stream.
    /// ARGV: dead entry id, envelope. Returns 1, or 0 when the entry was already gone.
    static let replay = RedisScript(
        """
        local removed = redis.call('XDEL', KEYS[1], ARGV[1])
        if removed == 0 then return 0 end
        redis.call('XADD', KEYS[2], '*', 't', ARGV[2])
        return 1
        """)

    /// Renews the lease of entries this worker still owns (resets their idle time without
    /// counting a delivery). KEYS: stream. ARGV: group, consumer, ids… Returns {renewed, lost ids…}.
    ///
    /// Ownership is checked first (XPENDING): an entry another worker claimed while this one
    /// stalled past the visibility timeout belongs to that worker now, and an XCLAIM with
    /// min-idle 0 would take it back, so both would run it and its lease would flap between them.
    static let renew = RedisScript(
        """
        local renewed = 0
        local reply = {0}
        for i = 3, #ARGV do
          local id = ARGV[i]
          local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
          if pending[1] and pending[1][2] == ARGV[2] then
            renewed = renewed + #redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'JUSTID')
          else
            table.insert(reply, id)
          end
        end
        reply[1] = renewed
        return reply
        """)

    /// Releases a lease only when this process still holds it. KEYS: lease. ARGV: holder.
    static let releaseLease = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """)

    /// Acquires or renews a lease. KEYS: lease. ARGV: holder, ttl ms. Returns 1 when held.
    static let acquireLease = RedisScript(
        """
        local current = redis.call('GET', KEYS[1])
        if current == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if current then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """)
}
