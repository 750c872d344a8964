import OttoRedis
import OttoTasks
import OttoTestSupport
import Testing

/// Outages: a Redis that dies and comes back, and one that accepts connections but never answers.
@Suite("RedisClient reconnect and timeouts")
struct RedisReconnectTests {
    @Test("a killed server is retried with exponential backoff, not in a tight loop, and the same client works again")
    func reconnectsAfterRestart() async throws {
        let server = try await RedisTestServer()
        defer { server.terminate() }
        var options = RedisClient.Options()
        options.connectTimeout = .seconds(1)
        options.commandTimeout = .seconds(1)
        options.minReconnectDelay = .milliseconds(20)
        options.maxReconnectDelay = .seconds(1)
        let client = RedisTestEnvironment.client(server.endpoint, options: options)

        #expect(try await client.send(["SET", "k", "before"]) == .simpleString("OK"))
        // The client's count is the server's: its one connection, besides the test's start-up probe.
        #expect(client.connectAttempts == 1)
        #expect(try await Self.connectionsReceived(client) == 2)

        await server.crash()
        // Commands back to back while the server is down, until the client has tried to connect
        // eight times. A refused loopback connect is instant, so without the backoff these eight
        // attempts would take a few milliseconds and no command would fail without one.
        let first = client.connectAttempts
        var attemptSeen: [ContinuousClock.Instant] = []
        var failedWithoutAttempt = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while client.connectAttempts - first < 8, ContinuousClock.now < deadline {
            let before = client.connectAttempts
            do {
                _ = try await client.send(["GET", "k"])
                Issue.record("a command succeeded while the server was down")
            } catch let error as RedisError {
                if client.connectAttempts == before, attemptSeen.isEmpty {
                    // The dead connection itself, before any reconnect.
                    #expect(error.code == .connectionClosed, "\(error)")
                } else if client.connectAttempts == before {
                    // Inside the backoff window: refused at once, without a connect.
                    #expect(error.code == .connectionFailed, "\(error)")
                    failedWithoutAttempt += 1
                } else {
                    attemptSeen.append(ContinuousClock.now)
                }
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        try #require(attemptSeen.count == 8, "attempts during the outage: \(client.connectAttempts - first)")
        #expect(failedWithoutAttempt > 0)
        // After failure n the client waits at least half of min(20 ms * 2^(n-1), 1 s), and every
        // attempt after the first was made by a command sent after the first was seen, so failures
        // 2 to 7 alone put 20 + 40 + 80 + 160 + 320 + 500 = 1,120 ms between the first and the
        // eighth attempt, however loaded the machine (measured here: 1.49-1.66 s). A constant
        // 20 ms delay measured 0.15 s, no backoff a few milliseconds.
        let spread = attemptSeen[7] - attemptSeen[0]
        let gaps = zip(attemptSeen.dropFirst(), attemptSeen).map { $0 - $1 }
        #expect(spread >= .milliseconds(1120), "eight attempts within \(spread), apart by \(gaps)")

        // Back on the same port: the same client reconnects on a later command ...
        try await server.start()
        let answered = await eventually(timeout: .seconds(30), every: .milliseconds(20)) {
            (try? await client.ping()) != nil
        }
        #expect(answered)
        #expect(try await client.send(["SET", "k", "after"]) == .simpleString("OK"))
        #expect(try await client.send(["GET", "k"]).string == "after")
        // ... with one connection, not a burst of them.
        #expect(try await Self.connectionsReceived(client) == 2)
        await client.close()
    }

    /// The server's own count of connections it accepted (`INFO stats`).
    static func connectionsReceived(_ client: RedisClient) async throws -> Int {
        let info = try await client.send(["INFO", "stats"]).string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_connections_received:") }
        return Int(line?.split(separator: ":").last ?? "") ?? -1
    }

    @Test("in-flight commands fail with connectionClosed when the server dies")
    func inFlightCommandsFail() async throws {
        let server = try await RedisTestServer()
        defer { server.terminate() }
        var options = RedisClient.Options()
        options.commandTimeout = .seconds(60)
        let client = RedisTestEnvironment.client(server.endpoint, options: options)
        let observer = RedisTestEnvironment.client(server.endpoint)
        try await client.ping()

        let blocked = Task { try await client.send(["BLPOP", "never-filled", "0"]) }
        // In flight means blocked at the server, as the server itself reports.
        let isBlocked = await eventually(timeout: .seconds(30), every: .milliseconds(10)) {
            let info = (try? await observer.send(["INFO", "clients"]).string) ?? ""
            return info.contains("blocked_clients:1")
        }
        try #require(isBlocked)
        await server.crash()
        await #expect {
            try await blocked.value
        } throws: { error in
            (error as? RedisError)?.code == .connectionClosed
        }
        await client.close()
        await observer.close()
    }

    @Test("ping fails with .timeout against a server that accepts but never replies")
    func pingTimesOutOnSilentServer() async throws {
        let silent = try await SilentListener.start()
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
        // The command timeout is the contract; a silent server never answers, so without it the
        // ping would not return. Measured here: 0.50 s; the bound is 20 times that.
        #expect(elapsed < .seconds(10), "ping took \(elapsed)")

        // A dedicated connection honours its per-command timeout too.
        let dedicated = try await client.makeDedicatedConnection()
        await #expect {
            try await dedicated.send(["PING"], timeout: .milliseconds(200))
        } throws: { error in
            (error as? RedisError)?.code == .timeout
        }
        await dedicated.close()
        await client.close()
        await silent.stop()
    }

    @Test("a connect that hangs in AUTH fails within the connect timeout")
    func connectTimesOutOnSilentServer() async throws {
        let silent = try await SilentListener.start()
        var options = RedisClient.Options()
        options.connectTimeout = .milliseconds(400)
        let endpoint = RedisEndpoint(host: "127.0.0.1", port: silent.port, password: "unused")
        let client = RedisTestEnvironment.client(endpoint, options: options)

        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            await #expect {
                try await client.ping()
            } throws: { error in
                (error as? RedisError)?.code == .timeout
            }
        }
        // The connect timeout is the contract; the silent server never answers AUTH, so without
        // it the connect would not end. Measured here: 0.40-0.41 s; the bound is 24 times that.
        #expect(elapsed < .seconds(10), "connect took \(elapsed)")
        await client.close()
        await silent.stop()
    }

    @Test("a refused connection fails with connectionFailed")
    func refusedConnection() async throws {
        // A port of the test range that nothing listens on (below the ephemeral range, where no
        // client socket can take it meanwhile).
        let port = FreePort.pick()
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
