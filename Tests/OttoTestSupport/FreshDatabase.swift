import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit

/// A database of a test's own, owned by the application role and migrated, dropped afterwards.
///
/// For tests whose counts would otherwise include other tests' rows (the cleanup deletes every
/// tenant's expired rows of the whole database) and for deliberately broken migrations.
public enum FreshDatabase {
    public static func with<Result: Sendable>(
        migrations: [Migration] = MigrationCatalog.all, _ body: (PostgresPool) async throws -> Result
    ) async throws -> Result {
        let logger = Logger(label: "otto.tests.fresh-database")
        let admin = PostgresPool(
            configuration: PostgresConfiguration(
                url: try TestServices.variable("OTTO_TEST_PG_SUPERUSER_URL"), poolSize: 1),
            logger: logger)
        let name = "otto_fresh_\(UUID().uuidString.prefix(8).lowercased())"
        do {
            _ = try await admin.query("CREATE DATABASE \(name) OWNER otto")
        } catch {
            await admin.shutdown()
            throw error
        }
        let base = try TestServices.databaseURL()
        let url = String(base[..<base.lastIndex(of: "/")!]) + "/" + name
        let pool = PostgresPool(configuration: PostgresConfiguration(url: url, poolSize: 4), logger: logger)
        let result: Result
        do {
            try await MigrationRunner(pool: pool, migrations: migrations, logger: logger).migrate()
            result = try await body(pool)
        } catch {
            await pool.shutdown()
            _ = try? await admin.query("DROP DATABASE \(name) WITH (FORCE)")
            await admin.shutdown()
            throw error
        }
        await pool.shutdown()
        _ = try? await admin.query("DROP DATABASE \(name) WITH (FORCE)")
        await admin.shutdown()
        return result
    }
}
