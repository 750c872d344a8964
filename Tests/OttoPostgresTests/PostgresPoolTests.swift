import Foundation
import OttoCalls
import OttoTasks
import OttoTestSupport
import Synchronization
import Testing

@testable import OttoPostgres

@Suite("PostgresPool")
struct PostgresPoolTests {
    final class OrderRecorder: Sendable {
        let values = Mutex<[Int]>([])
    }

    @Test("a transaction commits when its body returns and rolls back when it throws")
    func transactionCommitAndRollback() async throws {
        struct Abort: Error {}
        let table = PostgresTestDatabase.uniqueName("otto_tx")
        try await PostgresTestDatabase.withPool { pool in
            try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE \(table) (n int NOT NULL)")
            }
            try await pool.transaction { connection in
                _ = try connection.query("INSERT INTO \(table) VALUES ($1)", [1])
                _ = try connection.query("INSERT INTO \(table) VALUES ($1)", [2])
            }
            await #expect(throws: Abort.self) {
                try await pool.transaction { connection in
                    _ = try connection.query("INSERT INTO \(table) VALUES ($1)", [3])
                    throw Abort()
                }
            }
            // A failing statement aborts the transaction; the pool rolls it back.
            await #expect(throws: PostgresError.self) {
                try await pool.transaction { connection in
                    _ = try connection.query("INSERT INTO \(table) VALUES ($1)", [4])
                    _ = try connection.query("INSERT INTO \(table) VALUES (NULL)")
                }
            }
            let rows = try await pool.query("SELECT n FROM \(table) ORDER BY n")
            #expect(try rows.map { try $0.decode(Int.self, "n") } == [1, 2])
            try await pool.withConnection { connection in try connection.execute("DROP TABLE \(table)") }
        }
    }

    @Test("a transaction left open by a closure is rolled back before the connection is reused")
    func strayTransactionIsRolledBack() async throws {
        try await PostgresTestDatabase.withPool(poolSize: 1) { pool in
            let inLeftTransaction = try await pool.withConnection { connection in
                try connection.execute("BEGIN")
                return try connection.query("SELECT txid_current() AS id").first!.decode(Int64.self, "id")
            }
            let next = try await pool.withConnection { connection in
                try connection.query("SELECT txid_current() AS id").first!.decode(Int64.self, "id")
            }
            #expect(next != inLeftTransaction)
        }
    }

    @Test("statement_timeout turns a long statement into a timeout error (57014)")
    func statementTimeout() async throws {
        try await PostgresTestDatabase.withPool(poolSize: 1, statementTimeout: .milliseconds(200)) { pool in
            // 57014 is the server's own query_canceled: statement_timeout ended the statement
            // (had it not, pg_sleep would have returned a row, not an error).
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT pg_sleep(60)")
            }
            #expect(error?.code == .timeout)
            #expect(error?.sqlState == "57014")
            let one = try await pool.query("SELECT 1 AS one").first?.decode(Int.self, "one")
            #expect(one == 1)
        }
    }

    @Test("50 concurrent tasks share 4 connections and all succeed")
    func concurrentTasksShareThePool() async throws {
        let applicationName = PostgresTestDatabase.uniqueName("otto_concurrency")
        // The checkout wait is bounded by the connect timeout; the claim here is sharing, not speed,
        // so the bound only fails a hung pool (measured: 0.3 s alone, 11.7 s on a loaded machine).
        try await PostgresTestDatabase.withPool(
            poolSize: 4, connectTimeout: .seconds(120), applicationName: applicationName
        ) { pool in
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let rows = try await pool.query(
                            """
                            SELECT count(*) AS n, $2::int AS task, pg_sleep(0.02) IS NULL AS slept
                            FROM pg_stat_activity WHERE application_name = $1
                            """,
                            [applicationName, index]
                        )
                        #expect(try rows.first?.decode(Int.self, "task") == index)
                        return try rows.first!.decode(Int.self, "n")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(counts.count == 50)
            #expect(counts.allSatisfy { (1...4).contains($0) }, "server connections seen: \(counts)")
            #expect(counts.contains { $0 > 1 }, "queries should have overlapped")
            #expect(try await PostgresTestDatabase.backendCount(applicationName: applicationName) <= 4)
        }
    }

    @Test("the pool recovers when every pooled backend is terminated")
    func recoversFromTerminatedBackends() async throws {
        let applicationName = PostgresTestDatabase.uniqueName("otto_recovery")
        try await PostgresTestDatabase.withPool(poolSize: 3, applicationName: applicationName) { pool in
            // Open all three connections: each checkout waits until all three are checked out.
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
            #expect(try await PostgresTestDatabase.backendCount(applicationName: applicationName) == 3)

            try await PostgresTestDatabase.withPool(poolSize: 1) { admin in
                let killed = try await admin.query(
                    "SELECT pg_terminate_backend(pid, 5000) AS done FROM pg_stat_activity WHERE application_name = $1",
                    [applicationName]
                )
                #expect(killed.count == 3)
                #expect(try killed.allSatisfy { try $0.decode(Bool.self, "done") })
            }
            #expect(try await PostgresTestDatabase.backendCount(applicationName: applicationName) == 0)

            // Every query succeeds: dead connections are replaced before or at their first use.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let row = try await pool.query("SELECT $1::int AS n", [index]).first
                        #expect(try row?.decode(Int.self, "n") == index)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await PostgresTestDatabase.backendCount(applicationName: applicationName) <= 3)
        }
    }

    @Test("a first statement that finds its pooled connection dead is retried once on a fresh one")
    func retriesFirstStatementOnDeadConnection() async throws {
        let applicationName = PostgresTestDatabase.uniqueName("otto_retry")
        let configuration = PostgresConfiguration(
            url: try PostgresTestDatabase.url(),
            poolSize: 1,
            applicationName: applicationName
        )
        // Without the idle check the dead connection is only discovered by the statement itself.
        let pool = PostgresPool(
            configuration: configuration, logger: PostgresTestDatabase.logger, verifiesIdleConnections: false)
        do {
            let firstPID = try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode(Int32.self, "pid")
            try await PostgresTestDatabase.withPool(poolSize: 1) { admin in
                _ = try await admin.query("SELECT pg_terminate_backend($1::int, 5000)", [firstPID])
            }
            let attempts = OrderRecorder()
            let secondPID = try await pool.withConnection { connection in
                attempts.values.withLock { $0.append(1) }
                return try connection.query("SELECT pg_backend_pid() AS pid").first?.decode(Int32.self, "pid")
            }
            #expect(attempts.values.withLock { $0.count } == 2, "the closure runs again on a fresh connection")
            #expect(secondPID != nil && secondPID != firstPID)

            // A later statement in the same checkout is never retried: the error surfaces.
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    _ = try connection.query("SELECT 1")
                    _ = try connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
                }
            }
            #expect(error?.code == .connectionLost)
            #expect(error?.description.contains("terminat") == false)
            _ = try await pool.query("SELECT 1")
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    @Test("a checkout that waits longer than connectTimeout fails with a timeout")
    func checkoutTimeout() async throws {
        let applicationName = PostgresTestDatabase.uniqueName("otto_checkout")
        try await PostgresTestDatabase.withPool(
            poolSize: 1, connectTimeout: .milliseconds(300), applicationName: applicationName
        ) { pool in
            // Open the only connection first: on a loaded machine opening one can itself take longer
            // than 300 ms, and taking an idle connection involves no timeout.
            let opened = await eventually(timeout: .seconds(30)) { (try? await pool.query("SELECT 1")) != nil }
            try #require(opened)
            // The only connection stays busy until cancelled (or statement_timeout ends it at 30 s):
            // a waiter without the checkout timeout would get no connection before then.
            let holder = Task { try await pool.query("SELECT pg_sleep(60)") }
            try await PostgresTestDatabase.waitForStatements(applicationName: applicationName, count: 1)
            let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
            #expect(error?.code == .timeout)
            #expect(pool.waitingCount == 0)
            holder.cancel()
            await #expect(throws: CancellationError.self) { try await holder.value }
            _ = try await pool.query("SELECT 1")
        }
    }

    @Test("waiters are served first come, first served")
    func waitersAreFIFO() async throws {
        try await PostgresTestDatabase.withPool(poolSize: 1) { pool in
            let order = OrderRecorder()
            // Hold the only connection until all five waiters are queued (not for a fixed time,
            // which a loaded machine can outlast).
            let release = OrderRecorder()
            async let holder: Void = pool.withConnection { _ in
                while release.values.withLock({ $0.isEmpty }) { usleep(1000) }
            }
            try await PostgresTestDatabase.waitUntil { pool.connectionsInUse == 1 }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<5 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            order.values.withLock { $0.append(index) }
                            _ = try connection.query("SELECT 1")
                        }
                    }
                    try await PostgresTestDatabase.waitUntil { pool.waitingCount == index + 1 }
                }
                release.values.withLock { $0.append(1) }
                try await group.waitForAll()
            }
            _ = try await holder
            #expect(order.values.withLock { $0 } == [0, 1, 2, 3, 4])
        }
    }

    @Test("cancelling a waiting task does not leak its connection")
    func cancelledWaiterDoesNotLeak() async throws {
        let applicationName = PostgresTestDatabase.uniqueName("otto_cancel")
        try await PostgresTestDatabase.withPool(poolSize: 1, applicationName: applicationName) { pool in
            // Hold the only connection until the waiter has been cancelled (not for a fixed time,
            // which a loaded machine can outlast before the waiter is even queued).
            let release = OrderRecorder()
            async let holder: Void = pool.withConnection { connection in
                _ = try connection.query("SELECT 1")
                while release.values.withLock({ $0.isEmpty }) { usleep(1000) }
            }
            try await PostgresTestDatabase.waitUntil { pool.connectionsInUse == 1 }
            let waiter = Task { try await pool.query("SELECT 1") }
            try await PostgresTestDatabase.waitUntil { pool.waitingCount == 1 }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            #expect(pool.waitingCount == 0)
            release.values.withLock { $0.append(1) }
            _ = try await holder
            // The only connection is back: three sequential checkouts need no new one.
            for _ in 0..<3 { _ = try await pool.query("SELECT 1") }
            #expect(pool.connectionsInUse == 0)
            #expect(try await PostgresTestDatabase.backendCount(applicationName: applicationName) == 1)
        }
    }

    @Test("cancelling a running statement stops it on the server and the pool stays usable")
    func cancelledStatementStops() async throws {
        let applicationName = PostgresTestDatabase.uniqueName("otto_cancelled")
        // The statement would run for ten minutes and no statement_timeout ends it sooner: only the
        // cancellation can stop it within the test's deadlines.
        try await PostgresTestDatabase.withPool(
            poolSize: 1, statementTimeout: .seconds(900), applicationName: applicationName
        ) { pool in
            let running = Task { try await pool.query("SELECT pg_sleep(600)") }
            // Running on the server, not merely checked out.
            try await PostgresTestDatabase.waitForStatements(applicationName: applicationName, count: 1)
            running.cancel()
            await #expect(throws: CancellationError.self) { try await running.value }
            // The server stopped it: pg_stat_activity no longer shows it.
            try await PostgresTestDatabase.waitForStatements(applicationName: applicationName, count: 0)
            #expect(try await pool.query("SELECT 2 AS n").first?.decode(Int.self, "n") == 2)
        }
    }

    @Test("a pool dropped without shutdown releases its threads and connections")
    func droppedPoolCleansUp() async throws {
        let applicationName = PostgresTestDatabase.uniqueName("otto_dropped")
        do {
            let pool = PostgresPool(
                configuration: PostgresConfiguration(
                    url: try PostgresTestDatabase.url(),
                    poolSize: 2,
                    applicationName: applicationName
                ),
                logger: PostgresTestDatabase.logger
            )
            _ = try await pool.query("SELECT 1")
        }
        // The idle connection closed when the pool went away; the server notices within moments
        // (the deadline only fails a connection that is never closed).
        let deadline = ContinuousClock.now + .seconds(30)
        var remaining = try await PostgresTestDatabase.backendCount(applicationName: applicationName)
        while remaining > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            remaining = try await PostgresTestDatabase.backendCount(applicationName: applicationName)
        }
        #expect(remaining == 0)
    }

    @Test("after shutdown every call throws poolClosed")
    func shutdownClosesThePool() async throws {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try PostgresTestDatabase.url(), poolSize: 2),
            logger: PostgresTestDatabase.logger
        )
        _ = try await pool.query("SELECT 1")
        await pool.shutdown()
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .poolClosed)
        await pool.shutdown()
    }
}
