import OttoPostgres
import OttoProcessKit

extension DependencyCheck {
    /// `database`: a `SELECT 1` through `pool`, waiting, connecting and the statement all bounded
    /// by `timeout`.
    public static func database(_ pool: PostgresPool, timeout: Duration) -> DependencyCheck {
        DependencyCheck(name: "database") { try await pool.ping(timeout: timeout) }
    }
}
