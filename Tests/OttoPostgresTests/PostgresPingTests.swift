import Foundation
import OttoTestSupport
import Testing

@testable import OttoPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("PostgresPool.ping")
struct PostgresPingTests {
    @Test("ping succeeds against a healthy server")
    func pingHealthyServer() async throws {
        try await PostgresTestDatabase.withPool(poolSize: 2) { pool in
            try await pool.ping(timeout: .seconds(2))
            try await pool.ping(timeout: .seconds(2))
        }
    }

    @Test("ping gives up within its timeout when the server accepts TCP but never answers")
    func pingHungListener() async throws {
        let listener = try await SilentListener.start()
        // A connect timeout far beyond the bound below, so only the ping's own deadline can meet it.
        let configuration = PostgresConfiguration(
            url: "postgres://otto:otto@127.0.0.1:\(listener.port)/otto_test",
            poolSize: 2,
            connectTimeout: .seconds(120)
        )
        try await PostgresTestDatabase.withPool(configuration) { pool in
            for _ in 0..<2 {
                let start = ContinuousClock.now
                let error = await #expect(throws: PostgresError.self) {
                    try await pool.ping(timeout: .milliseconds(500))
                }
                let elapsed = ContinuousClock.now - start
                #expect(error?.code == .timeout)
                #expect(elapsed >= .milliseconds(450))
                // The ping's deadline is the contract (readiness answers within about a second).
                // Measured here: 0.50-0.53 s; the bound is 19 times that, far below the 120 s connect timeout.
                #expect(elapsed < .seconds(10), "ping took \(elapsed)")
            }
            #expect(pool.connectionsInUse == 0)
        }
        await listener.stop()
    }

    @Test("ping gives up within its timeout when a connected backend stops answering")
    func pingFrozenBackend() async throws {
        let applicationName = PostgresTestDatabase.uniqueName("otto_frozen")
        try await PostgresTestDatabase.withPool(poolSize: 1, applicationName: applicationName) { pool in
            let pid = try #require(
                try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode(Int32.self, "pid"))
            // The backend runs on this machine (the tooling starts it); SIGSTOP freezes it mid-protocol.
            try #require(kill(pid, SIGSTOP) == 0, "cannot signal backend \(pid): errno \(errno)")
            defer { kill(pid, SIGCONT) }
            let start = ContinuousClock.now
            let error = await #expect(throws: PostgresError.self) { try await pool.ping(timeout: .milliseconds(500)) }
            let elapsed = ContinuousClock.now - start
            #expect(error?.code == .timeout)
            // A frozen backend never answers, so without the ping's deadline this would not return at
            // all. Measured here: 0.50 s; the bound is 20 times that.
            #expect(elapsed < .seconds(10), "ping took \(elapsed)")
            kill(pid, SIGCONT)
            // The frozen connection was discarded; a fresh one answers.
            try await pool.ping(timeout: .seconds(5))
            let newPID = try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode(Int32.self, "pid")
            #expect(newPID != pid)
        }
    }
}
