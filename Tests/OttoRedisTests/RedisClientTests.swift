import OttoCalls
import OttoRedis
import OttoTasks
import OttoTestSupport
import Testing

/// Round trips against the real server from `OTTO_TEST_REDIS_URL`.
@Suite("RedisClient against a real Redis")
struct RedisClientTests {
    @Test("nil, status, error and integer replies")
    func basicReplies() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let prefix = RedisTestEnvironment.uniquePrefix("basic")

        #expect(try await client.send(["GET", prefix + "missing"]) == .null)
        #expect(try await client.send(["SET", prefix + "n", "41"]) == .simpleString("OK"))
        #expect(try await client.send(["INCR", prefix + "n"]) == .integer(42))
        #expect(try await client.send(["GET", prefix + "n"]).int == 42)

        // An error reply throws from send(), with the server's text kept for callers.
        _ = try await client.send(["SET", prefix + "s", "text"])
        await #expect {
            try await client.send(["INCR", prefix + "s"])
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.code == .server && error.serverErrorKind == "ERR"
                && error.serverMessage?.contains("not an integer") == true
        }
        // ... and the connection is still usable after it.
        try await client.ping()
        try await RedisTestEnvironment.cleanUp(client, prefix: prefix)
        await client.close()
    }

    @Test("nested arrays keep their structure")
    func nestedArrays() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let reply = try await client.send(["EVAL", "return {1, {'a', {2, 'b'}}, {}}", "0"])
        #expect(
            reply
                == .array([
                    .integer(1),
                    .array([
                        .bulkString(Array("a".utf8)), .array([.integer(2), .bulkString(Array("b".utf8))]),
                    ]),
                    .array([]),
                ])
        )
        await client.close()
    }

    @Test("values are binary safe: NUL, CR LF and invalid UTF-8 survive a round trip")
    func binarySafe() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let prefix = RedisTestEnvironment.uniquePrefix("binary")
        let value: [UInt8] = [0, 13, 10, 0xFF, 0xFE, 36, 13, 10, 42, 0, 65]
        let key = Array((prefix + "bin\0\r\nkey").utf8)
        #expect(try await client.send(bytes: [Array("SET".utf8), key, value]) == .simpleString("OK"))
        #expect(try await client.send(bytes: [Array("GET".utf8), key]) == .bulkString(value))
        #expect(try await client.send(["SET", prefix + "s", "a\r\nb\0c"]) == .simpleString("OK"))
        #expect(try await client.send(["GET", prefix + "s"]).string == "a\r\nb\0c")
        #expect(try await client.send(["SET", prefix + "empty", ""]) == .simpleString("OK"))
        #expect(try await client.send(["GET", prefix + "empty"]) == .bulkString([]))
        _ = try await client.send(bytes: [Array("DEL".utf8), key])
        try await RedisTestEnvironment.cleanUp(client, prefix: prefix)
        await client.close()
    }

    @Test("a 5 MB value round trips intact")
    func largeValue() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let prefix = RedisTestEnvironment.uniquePrefix("large")
        let value = (0..<(5 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        #expect(
            try await client.send(bytes: [Array("SET".utf8), Array((prefix + "big").utf8), value])
                == .simpleString("OK"))
        let reply = try await client.send(["GET", prefix + "big"])
        #expect(reply == .bulkString(value))
        #expect(try await client.send(["STRLEN", prefix + "big"]) == .integer(Int64(value.count)))
        try await RedisTestEnvironment.cleanUp(client, prefix: prefix)
        await client.close()
    }

    @Test("1000 pipelined commands are answered in order; error replies come back as values")
    func pipelineInOrder() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let prefix = RedisTestEnvironment.uniquePrefix("pipeline")
        var commands = (0..<1000).map { ["RPUSH", prefix + "list", "item-\($0)"] }
        commands.insert(["HSET", prefix + "list", "f", "v"], at: 500)
        let replies = try await client.pipeline(commands)
        #expect(replies.count == 1001)
        #expect(replies[0] == .integer(1))
        #expect(replies[499] == .integer(500))
        if case .error(let message) = replies[500] {
            #expect(message.hasPrefix("WRONGTYPE"))
        } else {
            Issue.record("expected an error reply at 500, got \(replies[500])")
        }
        #expect(replies[501] == .integer(501))
        #expect(replies[1000] == .integer(1000))
        let stored = try await client.send(["LRANGE", prefix + "list", "0", "-1"]).array?.compactMap(
            \.string)
        #expect(stored == (0..<1000).map { "item-\($0)" })
        #expect(try await client.pipeline([]) == [])
        try await RedisTestEnvironment.cleanUp(client, prefix: prefix)
        await client.close()
    }

    @Test("concurrent sends from many tasks each get their own reply")
    func concurrentSends() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let prefix = RedisTestEnvironment.uniquePrefix("concurrent")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<50 {
                group.addTask {
                    for index in 0..<40 {
                        let key = "\(prefix)\(task):\(index)"
                        let value = "value-\(task)-\(index)"
                        let stored = try await client.send(["SET", key, value])
                        let read = try await client.send(["GET", key])
                        let count = try await client.send(["INCR", prefix + "counter"])
                        #expect(stored == .simpleString("OK"))
                        #expect(read.string == value)
                        #expect(count.int != nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await client.send(["GET", prefix + "counter"]).int == 2000)
        try await RedisTestEnvironment.cleanUp(client, prefix: prefix)
        await client.close()
    }

    @Test("a non-zero database from the URL is selected on connect")
    func selectsDatabase() async throws {
        var endpoint = try RedisTestEnvironment.endpoint()
        endpoint.database = 7
        let db7 = RedisTestEnvironment.client(endpoint)
        endpoint.database = 0
        let db0 = RedisTestEnvironment.client(endpoint)
        let key = RedisTestEnvironment.uniquePrefix("select") + "k"

        _ = try await db7.send(["SET", key, "in-seven"])
        #expect(try await db7.send(["GET", key]).string == "in-seven")
        #expect(try await db0.send(["EXISTS", key]) == .integer(0))
        let clientInfo = try await db7.send(["CLIENT", "INFO"]).string ?? ""
        #expect(clientInfo.contains(" db=7 "))

        _ = try await db7.send(["DEL", key])
        await db7.close()
        await db0.close()
    }

    @Test("eval falls back to EVAL after NOSCRIPT, then runs by SHA1")
    func evalWithNoscriptFallback() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let prefix = RedisTestEnvironment.uniquePrefix("eval")
        let nonce = prefix  // makes the script (and its SHA1) unique to this run
        let script = RedisScript("-- \(nonce)\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])")

        _ = try await client.send(["SCRIPT", "FLUSH"])
        #expect(try await client.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(0)]))
        #expect(try await client.eval(script, keys: [prefix + "n"], arguments: ["5"]) == .integer(5))
        #expect(try await client.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))
        #expect(try await client.eval(script, keys: [prefix + "n"], arguments: ["2"]) == .integer(7))

        // A script error is a server error, not a retry loop.
        let failing = RedisScript("return redis.error_reply('OTTOFAIL boom')")
        await #expect {
            try await client.eval(failing, keys: [], arguments: [])
        } throws: { error in
            (error as? RedisError)?.serverErrorKind == "OTTOFAIL"
        }
        try await RedisTestEnvironment.cleanUp(client, prefix: prefix)
        await client.close()
    }

    @Test("sorted sets and hashes round trip")
    func sortedSetsAndHashes() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let prefix = RedisTestEnvironment.uniquePrefix("zset")
        let zset = prefix + "delayed"
        #expect(
            try await client.send(["ZADD", zset, "300", "c", "100", "a", "200", "b"]) == .integer(3))
        let due = try await client.send(["ZRANGEBYSCORE", zset, "-inf", "250"]).array?.compactMap(
            \.string)
        #expect(due == ["a", "b"])
        #expect(try await client.send(["ZSCORE", zset, "c"]).int == 300)
        #expect(try await client.send(["ZREM", zset, "a"]) == .integer(1))
        #expect(try await client.send(["ZCARD", zset]) == .integer(2))

        let hash = prefix + "task"
        #expect(
            try await client.send(["HSET", hash, "name", "otto.ping", "attempt", "1"]) == .integer(2))
        #expect(try await client.send(["HINCRBY", hash, "attempt", "1"]) == .integer(2))
        let all = try await client.send(["HGETALL", hash]).array?.compactMap(\.string) ?? []
        var fields: [String: String] = [:]
        for index in stride(from: 0, to: all.count - 1, by: 2) { fields[all[index]] = all[index + 1] }
        #expect(fields == ["name": "otto.ping", "attempt": "2"])
        #expect(try await client.send(["HGET", hash, "missing"]) == .null)
        try await RedisTestEnvironment.cleanUp(client, prefix: prefix)
        await client.close()
    }

    @Test("streams: XADD, XGROUP CREATE MKSTREAM, XREADGROUP, XACK, XAUTOCLAIM")
    func streams() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let prefix = RedisTestEnvironment.uniquePrefix("stream")
        let stream = prefix + "{default}:stream"

        #expect(
            try await client.send(["XGROUP", "CREATE", stream, "workers", "$", "MKSTREAM"])
                == .simpleString("OK"))
        await #expect {
            try await client.send(["XGROUP", "CREATE", stream, "workers", "$", "MKSTREAM"])
        } throws: { error in
            (error as? RedisError)?.serverErrorKind == "BUSYGROUP"
        }
        let firstID = try await client.send(["XADD", stream, "*", "task", "one"]).string
        let secondID = try await client.send(["XADD", stream, "*", "task", "two"]).string
        #expect(firstID != nil && secondID != nil)

        let read = try await client.send([
            "XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", stream, ">",
        ])
        // [[stream, [[id, [field, value]], ...]]]
        let entries = read.array?.first?.array?[1].array ?? []
        #expect(entries.count == 2)
        #expect(entries.first?.array?.first?.string == firstID)
        #expect(entries.first?.array?[1].array?.compactMap(\.string) == ["task", "one"])

        #expect(try await client.send(["XACK", stream, "workers", firstID ?? ""]) == .integer(1))

        // The second entry is still pending for w1; w2 claims it after an idle time of 0 ms.
        let claimed = try await client.send([
            "XAUTOCLAIM", stream, "workers", "w2", "0", "0-0", "COUNT", "10",
        ])
        let claimedEntries = claimed.array?[1].array ?? []
        #expect(claimedEntries.count == 1)
        #expect(claimedEntries.first?.array?.first?.string == secondID)
        let pending = try await client.send(["XPENDING", stream, "workers"])
        #expect(pending.array?.first == .integer(1))

        try await RedisTestEnvironment.cleanUp(client, prefix: prefix)
        await client.close()
    }

    @Test("a blocking XREADGROUP on a dedicated connection does not stall the shared client")
    func dedicatedBlockingConnection() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        let prefix = RedisTestEnvironment.uniquePrefix("blocking")
        let stream = prefix + "stream"
        _ = try await client.send(["XGROUP", "CREATE", stream, "g", "$", "MKSTREAM"])
        let dedicated = try await client.makeDedicatedConnection()

        // Blocks for a minute unless woken below, so it is still blocked whatever the load.
        let blocked = Task {
            try await dedicated.send(
                ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "60000", "STREAMS", stream, ">"],
                timeout: .seconds(70)
            )
        }
        // Wait until the server reports the XREADGROUP as blocked on this stream ...
        let isBlocked = try await eventually(timeout: .seconds(30), every: .milliseconds(20)) {
            let clients = try await client.send(["CLIENT", "LIST"]).string ?? ""
            return clients.split(separator: "\n").contains {
                $0.contains("cmd=xreadgroup") && $0.contains("flags=b")
            }
        }
        #expect(isBlocked)
        // ... then, while the dedicated connection is blocked, the shared one keeps answering.
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            for _ in 0..<20 { try await client.ping() }
        }
        // Had the pings queued behind the blocking read, they could only have finished after it
        // returned; the read is still blocked, so they did not wait for it.
        let stillBlocked = (try await client.send(["CLIENT", "LIST"]).string ?? "").split(separator: "\n").contains {
            $0.contains("cmd=xreadgroup") && $0.contains("flags=b")
        }
        #expect(stillBlocked, "the pings took \(elapsed)")

        _ = try await client.send(["XADD", stream, "*", "wake", "up"])
        let reply = try await blocked.value
        #expect(reply.array?.first?.array?[1].array?.count == 1)

        await dedicated.close()
        await #expect(throws: RedisError.self) {
            try await dedicated.send(["PING"])
        }
        try await RedisTestEnvironment.cleanUp(client, prefix: prefix)
        await client.close()
    }

    @Test("a command that exceeds its timeout fails with .timeout, and the next command works")
    func commandTimeoutClosesConnection() async throws {
        var options = RedisClient.Options()
        options.commandTimeout = .milliseconds(300)
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint(), options: options)
        let key = RedisTestEnvironment.uniquePrefix("timeout") + "empty-list"

        // BLPOP on an empty list answers only after 30 s, a hundred times the 300 ms timeout.
        await #expect {
            try await client.send(["BLPOP", key, "30"])
        } throws: { error in
            (error as? RedisError)?.code == .timeout
        }
        // The timed-out connection was dropped (its late reply must never reach another
        // command): the next command reconnects and gets its own answer. A loaded machine can
        // time that command out too (300 ms); a timeout is retried, a wrong answer never is.
        let attemptsBefore = client.connectAttempts
        var echoed: String?
        let deadline = ContinuousClock.now + .seconds(30)
        while echoed == nil, ContinuousClock.now < deadline {
            do {
                echoed = try await client.send(["ECHO", "after-timeout"]).string ?? "(not a string)"
            } catch let error as RedisError where error.code == .timeout {
                continue
            }
        }
        #expect(echoed == "after-timeout")
        #expect(client.connectAttempts > attemptsBefore)
        await client.close()
    }

    @Test("an empty command is refused without touching the connection")
    func emptyCommand() async throws {
        let client = RedisTestEnvironment.client(try RedisTestEnvironment.endpoint())
        await #expect {
            try await client.send([])
        } throws: { error in
            (error as? RedisError)?.code == .invalidCommand
        }
        try await client.ping()
        await client.close()
    }
}
