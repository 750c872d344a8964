import OttoCore
import Testing

/// Outages: a Redis that dies and comes back, and one that accepts connections but never answers.
@Suite("RedisClient reconnect and timeouts")
struct RedisReconnectTests {
    @Test("the same client works again after its server is killed and restarted")
    func reconnectsAfterRestart() async throws {
        let server = try await RedisTestServer()
        defer { server.crash() }
        var options = RedisClient.Options()
        options.connectTimeout = .seconds(1)
        options.commandTimeout = .seconds(1)
        options.minReconnectDelay = .milliseconds(50)
        options.maxReconnectDelay = .milliseconds(300)
        let client = RedisTestEnvironment.client(server.endpoint, options: options)

        #expect(try await client.send(["SET", "k", "before"]) == .simpleString("OK"))

        // Down: commands fail (the connection is gone and connects are refused) ...
        server.crash()
        await #expect(throws: RedisError.self) {
            try await client.send(["GET", "k"])
        }
        await #expect(throws: RedisError.self) {
            try await client.send(["GET", "k"])
        }
        // ... and fail fast during the backoff window instead of hanging.
        let clock = ContinuousClock()
        var lastError: RedisError?
        let elapsed = await clock.measure {
            do {
                _ = try await client.send(["GET", "k"])
            } catch {
                lastError = error as? RedisError
            }
        }
        #expect(lastError?.code == .connectionFailed)
        #expect(elapsed < .milliseconds(1800))  // below the 2 s connect timeout: no connect was tried

        // Back on the same port: the same client reconnects on a later command.
        try await server.start()
        var answered = false
        let deadline = ContinuousClock.now + .seconds(10)
        while !answered, ContinuousClock.now < deadline {
            do {
                try await client.ping()
                answered = true
            } catch {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(answered)
        #expect(try await client.send(["SET", "k", "after"]) == .simpleString("OK"))
        #expect(try await client.send(["GET", "k"]).string == "after")
        await client.close()
    }

    @Test("in-flight commands fail with connectionClosed when the server dies")
    func inFlightCommandsFail() async throws {
        let server = try await RedisTestServer()
        defer { server.crash() }
        var options = RedisClient.Options()
        options.commandTimeout = .seconds(10)
        let client = RedisTestEnvironment.client(server.endpoint, options: options)
        try await client.ping()

        let blocked = Task { try await client.send(["BLPOP", "never-filled", "0"]) }
        try await Task.sleep(for: .milliseconds(200))
        server.crash()
        await #expect {
            try await blocked.value
        } throws: { error in
            (error as? RedisError)?.code == .connectionClosed
        }
        await client.close()
    }

    @Test("ping fails with .timeout against a server that accepts but never replies")
    func pingTimesOutOnSilentServer() async throws {
        let silent = try await RedisSilentServer()
        var options = RedisClient.Options()
        options.commandTimeout = .milliseconds(500)
        let client = RedisTestEnvironment.client(
            RedisEndpoint(host: "127.0.0.1", port: silent.port), options: options)

        let clock = ContinuousClock()
        var caught: RedisError?
        let elapsed = await clock.measure {
            do {
                try await client.ping()
            } catch {
                caught = error as? RedisError
            }
        }
        #expect(caught?.code == .timeout)
        #expect(elapsed >= .milliseconds(450))
        #expect(elapsed < .seconds(3))

        // A dedicated connection honours its per-command timeout too.
        let dedicated = try await client.makeDedicatedConnection()
        await #expect {
            try await dedicated.send(["PING"], timeout: .milliseconds(200))
        } throws: { error in
            (error as? RedisError)?.code == .timeout
        }
        await dedicated.close()
        await client.close()
        await silent.close()
    }

    @Test("a connect that hangs in AUTH fails within the connect timeout")
    func connectTimesOutOnSilentServer() async throws {
        let silent = try await RedisSilentServer()
        var options = RedisClient.Options()
        options.connectTimeout = .milliseconds(400)
        let endpoint = RedisEndpoint(host: "127.0.0.1", port: silent.port, password: "unused")
        let client = RedisTestEnvironment.client(endpoint, options: options)

        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            await #expect(throws: RedisError.self) {
                try await client.ping()
            }
        }
        #expect(elapsed < .seconds(3))
        await client.close()
        await silent.close()
    }

    @Test("a refused connection fails with connectionFailed")
    func refusedConnection() async throws {
        let port = try await RedisTestServer.freePort()
        let client = RedisTestEnvironment.client(RedisEndpoint(host: "127.0.0.1", port: port))
        await #expect {
            try await client.ping()
        } throws: { error in
            (error as? RedisError)?.code == .connectionFailed
        }
        await #expect(throws: RedisError.self) {
            try await client.makeDedicatedConnection()
        }
        await client.close()
    }
}
