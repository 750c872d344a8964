import Logging
import OttoPostgres

extension MigrationRunner {
    /// A runner of Otto's own migrations (``MigrationCatalog/all``); OttoPostgres's runner takes
    /// any list and knows none of Otto's.
    public init(pool: PostgresPool, logger: Logger) {
        self.init(pool: pool, migrations: MigrationCatalog.all, logger: logger)
    }
}
