import Logging
import OttoPostgres

extension MigrationCatalog {
    /// Applies Otto's pending migrations (``all``) to `pool` under the migration lock; returns
    /// the versions it applied (`otto-api migrate`, Fly's release command).
    @discardableResult
    public static func apply(to pool: PostgresPool, logger: Logger) async throws -> [Int] {
        try await MigrationRunner(pool: pool, migrations: all, logger: logger).migrate()
    }
}
