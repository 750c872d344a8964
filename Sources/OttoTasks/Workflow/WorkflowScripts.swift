import OttoRedis

/// The Lua scripts of ``RedisWorkflowJournal``: each touches the one hash of one workflow
/// (KEYS[1]), so every update is atomic and runs on Redis Cluster and Upstash.
///
/// The hash: `run`, `state`, `steps` (names joined by commas), `input`, `created_at`,
/// `updated_at`, and per step `s.<step>.<field>` for state, attempts, error, deferred_until,
/// started_at, finished_at and output.
enum WorkflowScripts {
    /// ARGV: now, ttl s, from step, has input ('1'/'0'), input, steps… Returns the new run,
    /// -1 when the from step is not one of the steps, -2 when the step before it has no output.
    static let begin = RedisScript(
        """
        local from = nil
        for i = 6, #ARGV do if ARGV[i] == ARGV[3] then from = i end end
        if not from then return -1 end
        if from > 6 and redis.call('HEXISTS', KEYS[1], 's.' .. ARGV[from - 1] .. '.output') == 0 then return -2 end
        local run = tonumber(redis.call('HGET', KEYS[1], 'run') or '0') + 1
        local names = {}
        for i = 6, #ARGV do
          table.insert(names, ARGV[i])
          if i >= from then
            local p = 's.' .. ARGV[i] .. '.'
            redis.call('HSET', KEYS[1], p .. 'state', 'pending', p .. 'attempts', 0)
            redis.call('HDEL', KEYS[1], p .. 'error', p .. 'deferred_until', p .. 'started_at', p .. 'finished_at',
              p .. 'output')
          end
        end
        redis.call('HSET', KEYS[1], 'run', run, 'state', 'queued', 'steps', table.concat(names, ','),
          'updated_at', ARGV[1])
        redis.call('HSETNX', KEYS[1], 'created_at', ARGV[1])
        if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'input', ARGV[5]) end
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        return run
        """)

    /// ARGV: run, step, attempt, now, ttl. Returns 1 when the step may run.
    static let stepStarted = RedisScript(
        """
        if tonumber(redis.call('HGET', KEYS[1], 'run') or '0') ~= tonumber(ARGV[1]) then return 0 end
        local p = 's.' .. ARGV[2] .. '.'
        local state = redis.call('HGET', KEYS[1], p .. 'state')
        if not state or state == 'succeeded' then return 0 end
        if redis.call('HGET', KEYS[1], 'state') == 'failed' then return 0 end
        local attempts = tonumber(redis.call('HGET', KEYS[1], p .. 'attempts') or '0')
        if tonumber(ARGV[3]) > attempts then redis.call('HSET', KEYS[1], p .. 'attempts', ARGV[3]) end
        redis.call('HSET', KEYS[1], p .. 'state', 'running', 'state', 'running', 'updated_at', ARGV[4])
        redis.call('HSETNX', KEYS[1], p .. 'started_at', ARGV[4])
        redis.call('HDEL', KEYS[1], p .. 'deferred_until')
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        return 1
        """)

    /// ARGV: run, step, output, is last ('1'/'0'), now, ttl. Returns 1 when recorded.
    static let stepSucceeded = RedisScript(
        """
        if tonumber(redis.call('HGET', KEYS[1], 'run') or '0') ~= tonumber(ARGV[1]) then return 0 end
        local p = 's.' .. ARGV[2] .. '.'
        if not redis.call('HGET', KEYS[1], p .. 'state') then return 0 end
        redis.call('HSET', KEYS[1], p .. 'state', 'succeeded', p .. 'output', ARGV[3], p .. 'finished_at', ARGV[5],
          'updated_at', ARGV[5])
        redis.call('HDEL', KEYS[1], p .. 'deferred_until')
        if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'state', 'succeeded') end
        redis.call('EXPIRE', KEYS[1], ARGV[6])
        return 1
        """)

    /// ARGV: run, step, reason, final ('1'/'0'), now, ttl. Returns 1 when recorded.
    static let stepFailed = RedisScript(
        """
        if tonumber(redis.call('HGET', KEYS[1], 'run') or '0') ~= tonumber(ARGV[1]) then return 0 end
        local p = 's.' .. ARGV[2] .. '.'
        local state = redis.call('HGET', KEYS[1], p .. 'state')
        if not state or state == 'succeeded' then return 0 end
        redis.call('HSET', KEYS[1], p .. 'error', ARGV[3], 'updated_at', ARGV[5])
        if ARGV[4] == '1' then
          redis.call('HSET', KEYS[1], p .. 'state', 'failed', p .. 'finished_at', ARGV[5], 'state', 'failed')
        else
          redis.call('HSET', KEYS[1], p .. 'state', 'pending')
        end
        redis.call('EXPIRE', KEYS[1], ARGV[6])
        return 1
        """)

    /// ARGV: run, step, reason, until, now, ttl. Returns 1 when recorded.
    static let stepDeferred = RedisScript(
        """
        if tonumber(redis.call('HGET', KEYS[1], 'run') or '0') ~= tonumber(ARGV[1]) then return 0 end
        local p = 's.' .. ARGV[2] .. '.'
        local state = redis.call('HGET', KEYS[1], p .. 'state')
        if not state or state == 'succeeded' or state == 'failed' then return 0 end
        redis.call('HSET', KEYS[1], p .. 'state', 'pending', p .. 'error', ARGV[3], p .. 'deferred_until', ARGV[4],
          'updated_at', ARGV[5])
        redis.call('EXPIRE', KEYS[1], ARGV[6])
        return 1
        """)
}
