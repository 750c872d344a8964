import Foundation
import Logging
import OttoPostgres
import OttoTasks
import Testing

/// The shared test database that the project's tooling starts (`OTTO_TEST_DATABASE_URL`).
public enum PostgresTestDatabase {
    public static let logger = Logger(label: "otto.tests.postgres")

    /// Fails the calling test (never skips it) when the tooling did not provide a database.
    public static func url() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["OTTO_TEST_DATABASE_URL"],
            """
            OTTO_TEST_DATABASE_URL is not set: the PostgreSQL integration tests need a real server, \
            e.g. OTTO_TEST_DATABASE_URL=postgres://otto:otto@127.0.0.1:25432/otto_test
            """
        )
    }

    /// A lowercase identifier unique to one test run, for tables and application names.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
    }

    /// Runs `body` with a pool on the test database and always shuts the pool down.
    public static func withPool<Result>(
        poolSize: Int = 4,
        connectTimeout: Duration = .seconds(5),
        statementTimeout: Duration = .seconds(30),
        applicationName: String = uniqueName("otto_test"),
        _ body: (PostgresPool) async throws -> Result
    ) async throws -> Result {
        let configuration = PostgresConfiguration(
            url: try url(),
            poolSize: poolSize,
            connectTimeout: connectTimeout,
            statementTimeout: statementTimeout,
            applicationName: applicationName
        )
        return try await withPool(configuration, body)
    }

    public static func withPool<Result>(
        _ configuration: PostgresConfiguration,
        _ body: (PostgresPool) async throws -> Result
    ) async throws -> Result {
        let pool = PostgresPool(configuration: configuration, logger: logger)
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    /// How many server backends carry `applicationName`, counted from a separate connection.
    public static func backendCount(applicationName: String) async throws -> Int {
        try await withPool(poolSize: 1, applicationName: uniqueName("otto_observer")) { observer in
            let rows = try await observer.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1",
                [applicationName]
            )
            return try rows.first!.decode(Int.self, "n")
        }
    }

    /// Waits until exactly `count` statements of `applicationName` other than idle ones are active
    /// on the server (pg_stat_activity, read from a separate connection); fails after 30 seconds.
    public static func waitForStatements(
        applicationName: String, count: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await withPool(poolSize: 1, applicationName: uniqueName("otto_observer")) { observer in
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let rows = try await observer.query(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'",
                    [applicationName])
                let active = try rows.first!.decode(Int.self, "n")
                if active == count { return }
                guard ContinuousClock.now < deadline else {
                    Issue.record(
                        "\(active) active statements of \(applicationName), expected \(count), after 30 seconds",
                        sourceLocation: sourceLocation)
                    throw CancellationError()
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Polls a condition that another task makes true (bounded: fails after 30 seconds, so only a
    /// hung test fails).
    public static func waitUntil(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 30 seconds", sourceLocation: sourceLocation)
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
