import Foundation
import OttoTestSupport
import Testing

@testable import OttoPostgres

@Suite("PostgresPool across a server restart")
struct PostgresRestartTests {
    @Test(
        "while the server is down each query fails after one connect attempt, and the same pool works after it returns")
    func survivesRestart() async throws {
        try await OwnPostgresServer.with { server in
            let applicationName = "otto_restart_test"
            let configuration = PostgresConfiguration(
                url: server.superuserURL,
                poolSize: 3,
                connectTimeout: .seconds(2),
                applicationName: applicationName
            )
            try await PostgresTestDatabase.withPool(configuration) { pool in
                try await pool.withConnection { connection in
                    try connection.execute("CREATE TABLE restart_probe (n int); INSERT INTO restart_probe VALUES (1)")
                }
                // Hold all three connections at once, so the restart leaves three dead ones in the pool.
                let holding = HoldCounter()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            try await pool.withConnection { connection in
                                _ = try connection.query("SELECT 1")
                                holding.increment()
                                let deadline = ContinuousClock.now + .seconds(30)
                                while holding.value < 3 && ContinuousClock.now < deadline { usleep(1000) }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                // The pool's count is the server's (log_connections).
                #expect(pool.connectAttempts == 3)
                #expect(server.authorizedConnections(applicationName: applicationName) == 3)

                await server.stop()

                // Down: every call fails, each after exactly one connect attempt (the refused connect
                // that replaces its dead connection); nothing retries in a loop.
                for _ in 0..<3 {
                    let before = pool.connectAttempts
                    let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
                    #expect([.connectionFailed, .connectionLost].contains(error?.code), "\(String(describing: error))")
                    #expect(pool.connectAttempts - before == 1)
                }
                let beforePing = pool.connectAttempts
                await #expect(throws: PostgresError.self) { try await pool.ping(timeout: .seconds(2)) }
                #expect(pool.connectAttempts - beforePing == 1)
                #expect(pool.connectionsInUse == 0)

                try await server.start()

                // Back: the same pool answers, opening no more than its three connections.
                let beforeRestart = pool.connectAttempts
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<6 {
                        group.addTask {
                            try await pool.query("SELECT n FROM restart_probe").first!.decode(Int.self, "n")
                        }
                    }
                    for try await value in group { #expect(value == 1) }
                }
                try await pool.ping(timeout: .seconds(2))
                let opened = pool.connectAttempts - beforeRestart
                #expect((1...3).contains(opened))
                #expect(server.authorizedConnections(applicationName: applicationName) == 3 + opened)
            }
        }
    }
}
