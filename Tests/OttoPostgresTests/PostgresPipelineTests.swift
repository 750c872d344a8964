import Foundation
import OttoTestSupport
import Testing

@testable import OttoPostgres

/// `PostgresConnection.pipeline`: several statements in one round trip (libpq's pipeline mode),
/// each prepared once per connection, against the real server.
@Suite("PostgresConnection pipeline")
struct PostgresPipelineTests {
    @Test("a pipeline runs its statements in order, as one transaction, and returns each one's rows")
    func inOrder() async throws {
        let table = PostgresTestDatabase.uniqueName("otto_pipe")
        try await PostgresTestDatabase.withPool(poolSize: 1) { pool in
            let results = try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE \(table) (n int NOT NULL)")
                return try connection.pipeline([
                    PostgresStatement("BEGIN"),
                    PostgresStatement("INSERT INTO \(table) VALUES ($1), ($2) RETURNING n", [1, 2]),
                    PostgresStatement("SELECT count(*) AS c FROM \(table)"),
                    PostgresStatement("COMMIT"),
                ])
            }
            #expect(results.count == 4)
            #expect(results[1].rows.compactMap { $0["n"] } == ["1", "2"])
            #expect(results[2].first?["c"] == "2")
            let committed = try await pool.query("SELECT count(*) AS c FROM \(table)")
            #expect(committed.first?["c"] == "2")
            _ = try await pool.query("DROP TABLE \(table)")
        }
    }

    @Test("a failing statement commits nothing of its pipeline, throws the server's error, and the connection goes on")
    func failureAbortsTheRest() async throws {
        let table = PostgresTestDatabase.uniqueName("otto_pipe")
        try await PostgresTestDatabase.withPool(poolSize: 1) { pool in
            try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE \(table) (n int NOT NULL)")
            }
            // MUT: the second insert violates NOT NULL; the third and the COMMIT are skipped.
            let failure = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    try connection.pipeline([
                        PostgresStatement("BEGIN"),
                        PostgresStatement("INSERT INTO \(table) VALUES ($1)", [5]),
                        PostgresStatement("INSERT INTO \(table) VALUES (NULL)"),
                        PostgresStatement("INSERT INTO \(table) VALUES ($1)", [6]),
                        PostgresStatement("COMMIT"),
                    ])
                }
            }
            #expect(failure?.sqlState == "23502")
            // validate: nothing committed; the one connection (rolled back at check-in) still works.
            let count = try await pool.query("SELECT count(*) AS c FROM \(table)")
            #expect(count.first?["c"] == "0")
            _ = try await pool.query("DROP TABLE \(table)")
        }
    }

    @Test("each SQL text is prepared once per connection and executed by name afterwards")
    func preparedOnce() async throws {
        try await PostgresTestDatabase.withPool(poolSize: 1) { pool in
            let sql = "SELECT $1::int + 1 AS n"
            let (first, second, prepared) = try await pool.withConnection { connection in
                let first = try connection.pipeline([PostgresStatement(sql, [1])])
                let second = try connection.pipeline([PostgresStatement(sql, [2]), PostgresStatement(sql, [3])])
                let prepared = try connection.query(
                    "SELECT count(*) AS c FROM pg_prepared_statements WHERE statement = $1", [sql])
                return (first, second, prepared)
            }
            #expect(first.first?.first?["n"] == "2")
            #expect(second.map { $0.first?["n"] } == ["3", "4"])
            #expect(prepared.first?["c"] == "1")
        }
    }
}
