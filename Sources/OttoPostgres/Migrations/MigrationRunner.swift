import Logging

/// Applies migrations in order under a PostgreSQL advisory lock, recording each with its checksum.
///
/// Generic: the caller passes the list (Otto's is OttoCore's `MigrationCatalog.all`). The lock
/// key and the bookkeeping table keep the names that deployed databases already carry.
///
/// Two releases migrating at once (two Fly release machines) serialise on the lock; the second
/// finds nothing to do. Each migration runs in its own transaction with its record.
public struct MigrationRunner: Sendable {
    let pool: PostgresPool
    let migrations: [Migration]
    let logger: Logger

    /// Arbitrary constant identifying the migration lock ("ottomig" in ASCII).
    static let lockKey: Int64 = 0x6F74_746F_6D69_67

    public init(pool: PostgresPool, migrations: [Migration], logger: Logger) {
        self.pool = pool
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Applies pending migrations; returns the versions it applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let migrations = self.migrations
        let logger = self.logger
        return try await pool.withConnection { connection in
            _ = try connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey])
            defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey]) }
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS otto_schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let rows = try connection.query(
                "SELECT version, name, checksum FROM otto_schema_migrations ORDER BY version")
            var applied: [Int: String] = [:]
            for row in rows {
                let version = try row.decode(Int.self, "version")
                let checksum = try row.decode(String.self, "checksum")
                applied[version] = checksum
                guard let known = migrations.first(where: { $0.version == version }) else {
                    throw MigrationError(
                        code: .unknownVersion, version: version, name: try row.decode(String.self, "name"))
                }
                guard known.checksum == checksum else {
                    throw MigrationError(code: .checksumMismatch, version: version, name: known.name)
                }
            }
            var done: [Int] = []
            for migration in migrations where applied[migration.version] == nil {
                try connection.execute("BEGIN")
                do {
                    try connection.execute(migration.sql)
                    _ = try connection.query(
                        "INSERT INTO otto_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [migration.version, migration.name, migration.checksum])
                    try connection.execute("COMMIT")
                } catch {
                    try? connection.execute("ROLLBACK")
                    throw error
                }
                logger.info(
                    "migration applied",
                    metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                done.append(migration.version)
            }
            return done
        }
    }
}
