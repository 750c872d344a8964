import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks

/// A database of a test's own on the test tooling's PostgreSQL server, owned by the application
/// role and migrated by `otto-api migrate`, so processes that sweep every tenant (an API with
/// ENABLE_CELERY=false, a worker running the beat's sweep) never touch other tests' events.
public final class OwnDatabase: Sendable {
    public let name: String
    /// The application role's URL for the database (what `DATABASE_URL` gets).
    public let url: String
    private let superuserURL: String
    /// Open for the database's lifetime, so polling a count costs a query, not a new connection
    /// (with its SCRAM handshake) every time.
    private let observer: PostgresPool
    private let admin: PostgresPool

    private init(name: String, url: String, superuserURL: String) {
        self.name = name
        self.url = url
        self.superuserURL = superuserURL
        observer = PostgresPool(
            configuration: PostgresConfiguration(url: url, poolSize: 2, applicationName: "otto_test_observer"),
            logger: Logger(label: "otto.tests.db"))
        admin = PostgresPool(
            configuration: PostgresConfiguration(url: superuserURL, poolSize: 1, applicationName: "otto_test_admin"),
            logger: Logger(label: "otto.tests.db"))
    }

    /// Creates a fresh database, migrated unless `migrated` is false.
    public static func create(_ label: String, migrated: Bool = true) async throws -> OwnDatabase {
        let superuserURL = try TestServices.variable("OTTO_TEST_PG_SUPERUSER_URL")
        let applicationURL = try TestServices.databaseURL()
        let name = "otto_\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        let owner = try role(in: applicationURL)
        try await withAdmin(superuserURL) { pool in
            _ = try await pool.query("CREATE DATABASE \(name) OWNER \(owner)")
        }
        let url = try replaceDatabase(in: applicationURL, with: name)
        let database = OwnDatabase(name: name, url: url, superuserURL: superuserURL)
        guard migrated else { return database }
        let (status, output) = try await ChildProcess.run(
            "otto-api", ["migrate"], environment: ["APP_ENV": "test", "DATABASE_URL": url])
        guard status == 0 else {
            await database.drop()
            throw SetupFailed(message: "otto-api migrate failed: \(output)")
        }
        return database
    }

    /// Drops the database, ending any session still connected to it.
    public func drop() async {
        await observer.shutdown()
        _ = try? await admin.query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.shutdown()
    }

    /// Runs `body` with a pool on this database as the application role.
    public func withPool<T: Sendable>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        try await body(observer)
    }

    /// Counts rows across every tenant (the maintenance policy admits them) with `sql`, which
    /// must select one integer column named `n`.
    public func count(_ sql: String) async throws -> Int {
        try await withPool { pool in
            try await pool.transaction { connection in
                _ = try connection.query("SELECT set_config('app.maintenance', 'on', true)")
                return try connection.query(sql).first?.decode(Int.self, "n") ?? 0
            }
        }
    }

    /// Counts rows of a tenant table as that tenant (row-level security scopes the query).
    public func count(_ sql: String, tenant: String) async throws -> Int {
        try await withPool { pool in
            try await TenantScope.transaction(pool, tenantID: tenant) { connection in
                try connection.query(sql).first?.decode(Int.self, "n") ?? 0
            }
        }
    }

    /// Sessions of this database waiting for a lock (Otto statements stuck behind a ``TableLock``).
    public func lockWaiters() async throws -> Int {
        try await admin.query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [name]
        ).first?.decode(Int.self, "n") ?? 0
    }

    static func withAdmin(_ url: String, _ body: (PostgresPool) async throws -> Void) async throws {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: url, poolSize: 1, applicationName: "otto_test_admin"),
            logger: Logger(label: "otto.tests.db"))
        do {
            try await body(pool)
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    static func role(in url: String) throws -> String {
        guard let components = URLComponents(string: url), let user = components.user else {
            throw SetupFailed(message: "OTTO_TEST_DATABASE_URL names no user")
        }
        return user
    }

    static func replaceDatabase(in url: String, with name: String) throws -> String {
        guard var components = URLComponents(string: url) else {
            throw SetupFailed(message: "OTTO_TEST_DATABASE_URL is not a URL")
        }
        components.path = "/" + name
        guard let result = components.string else { throw SetupFailed(message: "cannot build a database URL") }
        return result
    }

    public struct SetupFailed: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
