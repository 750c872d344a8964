import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks

/// Holds a PostgreSQL table lock from a session of the test's own until `release()`, so that
/// Otto's statements on that table wait (and keep their connections) for as long as a test
/// needs: a slow dependency, made on purpose, without touching Otto's code.
public final class TableLock: Sendable {
    private let pool: PostgresPool
    private let gate = DispatchSemaphore(value: 0)
    private let holding: Task<Void, any Error>

    /// Takes `LOCK TABLE table IN mode MODE` and returns once it is held.
    public init(url: String, table: String, mode: String) async throws {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                url: url, poolSize: 1, statementTimeout: .seconds(600), applicationName: "otto_test_locker"),
            logger: Logger(label: "otto.tests.lock"))
        self.pool = pool
        let locked = AsyncStream<Void>.makeStream()
        let gate = self.gate
        holding = Task {
            defer { locked.continuation.finish() }
            try await pool.transaction { connection in
                try connection.execute("LOCK TABLE \(table) IN \(mode) MODE")
                locked.continuation.finish()
                // A pool thread, not a Swift concurrency one: blocking here is what it is for.
                gate.wait()
            }
        }
        for await _ in locked.stream {}
    }

    /// Ends the transaction, which releases the lock.
    public func release() async {
        gate.signal()
        _ = try? await holding.value
        await pool.shutdown()
    }
}
