import Foundation
import Logging
import NIOConcurrencyHelpers
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport

/// Holds `SELECT … FOR UPDATE` on one tenant's row, in a transaction on a connection of its own,
/// so a test can line requests up inside PostgreSQL.
///
/// A webhook event's insert checks its foreign key to `tenants` with `FOR KEY SHARE` at the end
/// of its statement, after its row is already in the table's unique index; so while the lock is
/// held, every first delivery for the tenant waits there with its insert in flight, and a
/// concurrent delivery of the same body waits in its `ON CONFLICT` check for that first
/// delivery's transaction. PostgreSQL itself reports who waits for whom (`pg_blocking_pids`).
final class TenantRowLock: Sendable {
    private struct State {
        /// The backend pid of the session that holds the lock, once it does.
        var holder: Int?
        var released = false
    }

    private let pool: PostgresPool
    private let state = NIOLockedValueBox(State())

    private init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Runs `body` while the lock is held; the lock is released when `body` calls `release()` or
    /// returns, whichever comes first.
    static func holding<Value: Sendable>(
        tenantID: String, _ body: (TenantRowLock) async throws -> Value
    ) async throws -> Value {
        // One connection holds the lock; the other one watches the waits.
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try TestServices.databaseURL(), poolSize: 2),
            logger: Logger(label: "otto.tests.row-lock"))
        let lock = TenantRowLock(pool: pool)
        let holding = Task {
            try await pool.withConnection { connection in
                try connection.execute("BEGIN")
                let pid = try connection.query("SELECT pg_backend_pid()::text AS pid").first?.decode(String.self, "pid")
                _ = try connection.query("SELECT id FROM tenants WHERE id = $1::uuid FOR UPDATE", [tenantID])
                lock.state.withLockedValue { $0.holder = pid.flatMap { Int($0) } }
                // This is a pool thread of the lock's own (never the cooperative pool): it waits
                // here, inside the transaction, until the test releases the lock.
                while !lock.state.withLockedValue({ $0.released }) { usleep(1_000) }
                try connection.execute("COMMIT")
            }
        }
        let held = await eventually(timeout: .seconds(30), every: .milliseconds(10)) {
            lock.state.withLockedValue { $0.holder != nil }
        }
        let result: Result<Value, any Error>
        if held {
            do { result = .success(try await body(lock)) } catch { result = .failure(error) }
        } else {
            result = .failure(NotHeld())
        }
        lock.release()
        let committed = await holding.result
        await pool.shutdown()
        try committed.get()
        return try result.get()
    }

    /// Commits the lock's transaction: everything waiting for it goes on.
    func release() {
        state.withLockedValue { $0.released = true }
    }

    /// Who waits, as PostgreSQL reports it: the sessions blocked by the lock itself (first
    /// deliveries, their rows inserted, checking the foreign key) and the sessions blocked by
    /// those (deliveries of the same bodies, waiting in `ON CONFLICT` for the first ones).
    func waits() async throws -> (onLock: Int, onWaiters: Int) {
        guard let holder = state.withLockedValue({ $0.holder }) else { return (0, 0) }
        let row = try await pool.query(
            """
            WITH first AS (SELECT pid FROM pg_stat_activity WHERE $1::int = ANY (pg_blocking_pids(pid)))
            SELECT (SELECT count(*) FROM first)::text AS on_lock,
                   (SELECT count(*) FROM pg_stat_activity
                     WHERE pg_blocking_pids(pid) && ARRAY(SELECT pid FROM first))::text AS on_waiters
            """, [String(holder)]
        ).first
        return (
            Int(try row?.decode(String.self, "on_lock") ?? "") ?? 0,
            Int(try row?.decode(String.self, "on_waiters") ?? "") ?? 0
        )
    }

    struct NotHeld: Error {}
}
