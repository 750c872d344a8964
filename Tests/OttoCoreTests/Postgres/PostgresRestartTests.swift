import Foundation
import Testing

@testable import OttoCore

@Suite("PostgresPool across a server restart")
struct PostgresRestartTests {
    @Test("queries fail fast while the server is down and the same pool works after it returns")
    func survivesRestart() async throws {
        try await PostgresTestCluster.with { cluster in
            let configuration = PostgresConfiguration(
                url: cluster.url,
                poolSize: 3,
                connectTimeout: .seconds(2),
                applicationName: "otto_restart_test"
            )
            try await PostgresTestDatabase.withPool(configuration) { pool in
                try await pool.withConnection { connection in
                    try connection.execute("CREATE TABLE restart_probe (n int); INSERT INTO restart_probe VALUES (1)")
                }
                // Warm several connections so the restart leaves several dead ones in the pool.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<3 { group.addTask { _ = try await pool.query("SELECT pg_sleep(0.1)") } }
                    try await group.waitForAll()
                }

                try await cluster.stop()

                for _ in 0..<3 {
                    let start = ContinuousClock.now
                    let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
                    #expect([.connectionFailed, .connectionLost].contains(error?.code), "\(String(describing: error))")
                    #expect(
                        ContinuousClock.now - start < .seconds(3), "a dead server must fail fast (connect timeout 5 s)")
                }
                await #expect(throws: PostgresError.self) { try await pool.ping(timeout: .milliseconds(500)) }

                try await cluster.start()

                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<6 {
                        group.addTask {
                            try await pool.query("SELECT n FROM restart_probe").first!.decode(Int.self, "n")
                        }
                    }
                    for try await value in group { #expect(value == 1) }
                }
                try await pool.ping(timeout: .seconds(2))
            }
        }
    }
}
