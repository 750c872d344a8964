import Foundation
import OttoPostgres
import OttoTestSupport
import Testing

@testable import OttoCalls

/// The formatter's timestamps against the real server: PostgreSQL reads every instant Otto
/// writes as the same instant (the parser's own properties are unit tests, PostgresTextPropertyTests).
@Suite("Property: PostgreSQL timestamps on the server")
struct PostgresTimestampServerPropertyTests {
    @Test("the server reads every formatted instant, extremes included, as the same instant")
    func serverAgrees() async throws {
        var random = PropertyInput.generator("timestamp-server")
        var seconds: [Double] = (0..<500).map { _ in
            Double.random(in: WebhookTime.earliest..<WebhookTime.latest, using: &random)
        }
        seconds += [WebhookTime.earliest, WebhookTime.latest - 0.001, 1_700_000_000.123456]
        try await PostgresTestDatabase.withPool { pool in
            for value in seconds {
                let date = Date(timeIntervalSince1970: value)
                let row = try #require(
                    try await pool.query(
                        "SELECT (extract(epoch FROM $1::timestamptz) * 1000000)::int8 AS micros", [date]
                    ).first)
                #expect(
                    try row.decode(Int64.self, "micros") == Int64((date.timeIntervalSince1970 * 1_000_000).rounded()),
                    "\(date.postgresText ?? "NULL")")
            }
            for seconds in PropertyInput.extremeInstants where !seconds.isNaN {
                let row = try #require(
                    try await pool.query(
                        "SELECT $1::timestamptz::text AS text, isfinite($1::timestamptz) AS finite",
                        [Date(timeIntervalSince1970: seconds)]
                    ).first)
                let inRange = seconds >= WebhookTime.earliest && seconds < WebhookTime.latest
                #expect(try row.decode(Bool.self, "finite") == inRange, "\(seconds) -> \(row["text"] ?? "NULL")")
            }
            let nan = try #require(
                try await pool.query("SELECT $1::timestamptz IS NULL AS null", [Date(timeIntervalSince1970: .nan)])
                    .first)
            #expect(try nan.decode(Bool.self, "null"))
        }
    }
}
