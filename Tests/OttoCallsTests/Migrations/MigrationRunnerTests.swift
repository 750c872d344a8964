import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@Suite("Migrations")
struct MigrationRunnerTests {
    let logger = Logger(label: "otto.tests.migrations")

    /// A fresh database owned by the application role, dropped afterwards.
    func withFreshDatabase(_ body: (PostgresPool) async throws -> Void) async throws {
        let admin = PostgresPool(
            configuration: PostgresConfiguration(
                url: try TestServices.variable("OTTO_TEST_PG_SUPERUSER_URL"), poolSize: 1),
            logger: logger)
        let name = "otto_mig_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await admin.query("CREATE DATABASE \(name) OWNER otto")
        let base = try TestServices.databaseURL()
        let url = String(base[..<base.lastIndex(of: "/")!]) + "/" + name
        let pool = PostgresPool(configuration: PostgresConfiguration(url: url, poolSize: 4), logger: logger)
        do {
            try await body(pool)
        } catch {
            await pool.shutdown()
            _ = try? await admin.query("DROP DATABASE \(name) WITH (FORCE)")
            await admin.shutdown()
            throw error
        }
        await pool.shutdown()
        _ = try await admin.query("DROP DATABASE \(name) WITH (FORCE)")
        await admin.shutdown()
    }

    @Test("migrations apply in order once, are recorded with checksums, and a second run does nothing")
    func appliesOnce() async throws {
        try await withFreshDatabase { pool in
            let runner = MigrationRunner(pool: pool, logger: logger)
            let first = try await runner.migrate()
            #expect(first == MigrationCatalog.all.map(\.version).sorted())
            #expect(try await runner.migrate().isEmpty)
            let rows = try await pool.query("SELECT version, checksum FROM otto_schema_migrations ORDER BY version")
            #expect(rows.count == MigrationCatalog.all.count)
            for (row, migration) in zip(rows, MigrationCatalog.all.sorted { $0.version < $1.version }) {
                #expect(try row.decode(String.self, "checksum") == migration.checksum)
            }
            #expect(
                try await pool.query("SELECT to_regclass('tenants') IS NOT NULL AS present").first?.decode(
                    Bool.self, "present") == true)
        }
    }

    @Test("two releases migrating at once serialise on the advisory lock: each migration applied exactly once")
    func concurrentRunners() async throws {
        try await withFreshDatabase { pool in
            let runner = MigrationRunner(pool: pool, logger: logger)
            async let a = runner.migrate()
            async let b = runner.migrate()
            let (first, second) = try await (a, b)
            #expect((first + second).sorted() == MigrationCatalog.all.map(\.version).sorted())
        }
    }

    @Test("a changed, already-applied migration is refused")
    func checksumMismatch() async throws {
        try await withFreshDatabase { pool in
            try await MigrationRunner(pool: pool, logger: logger).migrate()
            var changed = MigrationCatalog.all
            changed[0].sql += "\n-- edited after shipping"
            await #expect(throws: MigrationError.self) {
                try await MigrationRunner(pool: pool, migrations: changed, logger: logger).migrate()
            }
        }
    }

    @Test("a database migrated by a newer release (unknown version) is refused")
    func unknownVersion() async throws {
        try await withFreshDatabase { pool in
            let extra = Migration(version: 9999, name: "future", sql: "CREATE TABLE future_thing (id int)")
            try await MigrationRunner(pool: pool, migrations: MigrationCatalog.all + [extra], logger: logger).migrate()
            do {
                try await MigrationRunner(pool: pool, logger: logger).migrate()
                Issue.record("expected an unknown-version error")
            } catch let error as MigrationError {
                #expect(error.code == .unknownVersion)
                #expect(error.version == 9999)
            }
        }
    }

    @Test("a failing migration rolls back entirely and is not recorded")
    func failingMigrationRollsBack() async throws {
        try await withFreshDatabase { pool in
            let broken = Migration(
                version: 9998, name: "broken", sql: "CREATE TABLE half_done (id int); SELECT no_such_function();")
            // The migration's own error: 42883 (undefined_function) from its second statement, so the
            // first statement ran and was rolled back, rather than the runner failing on its own.
            let error = await #expect(throws: PostgresError.self) {
                try await MigrationRunner(pool: pool, migrations: MigrationCatalog.all + [broken], logger: logger)
                    .migrate()
            }
            #expect(error?.code == .queryFailed)
            #expect(error?.sqlState == "42883")
            let present = try await pool.query("SELECT to_regclass('half_done') IS NOT NULL AS present")
            #expect(try present.first?.decode(Bool.self, "present") == false)
            let recorded = try await pool.query(
                "SELECT count(*)::int AS n FROM otto_schema_migrations WHERE version = 9998")
            #expect(try recorded.first?.decode(Int.self, "n") == 0)
        }
    }
}
