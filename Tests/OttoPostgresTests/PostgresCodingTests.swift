import Foundation
import OttoPostgres
import OttoTestSupport
import Testing

@Suite("Postgres parameters and decoding")
struct PostgresCodingTests {
    // MARK: Pure conversions

    @Test("Date parameters are ISO 8601 UTC with microseconds")
    func dateParameterText() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123456)
        #expect(date.postgresText == "2023-11-14T22:13:20.123456Z")
        #expect(Date(timeIntervalSince1970: -1.5).postgresText == "1969-12-31T23:59:58.500000Z")
    }

    @Test(
        "Date decodes what PostgreSQL prints with DateStyle=ISO",
        arguments: [
            ("2023-11-14 22:13:20.123456+00", 1_700_000_000.123456),
            ("2023-11-14 22:13:20+00", 1_700_000_000.0),
            ("2023-11-14 23:43:20.5+01:30", 1_700_000_000.5),
            ("2023-11-14T22:13:20Z", 1_700_000_000.0),
            ("1969-12-31 23:59:59+00", -1.0),
            ("2000-02-29 00:00:00", 951_782_400.0),
        ]
    )
    func dateDecoding(text: String, seconds: Double) throws {
        let date = try Date(postgresText: text)
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test(
        "malformed values throw decoding errors",
        arguments: ["2023-13-01 00:00:00+00", "infinity", "2023-01-01 BC", ""])
    func malformedDates(text: String) {
        #expect(throws: PostgresError.self) { try Date(postgresText: text) }
    }

    @Test("bytea uses the hex form in both directions")
    func byteaHex() throws {
        #expect([0, 1, 0xab, 0xff].postgresText == "\\x0001abff")
        #expect(try [UInt8](postgresText: "\\x0001ABff") == [0, 1, 0xab, 0xff])
        #expect(throws: PostgresError.self) { try [UInt8](postgresText: "\\x0") }
        #expect(throws: PostgresError.self) { try [UInt8](postgresText: "0001") }
    }

    @Test("non-finite doubles use PostgreSQL's spelling")
    func nonFiniteDoubles() throws {
        #expect(Double.infinity.postgresText == "Infinity")
        #expect((-Double.infinity).postgresText == "-Infinity")
        #expect(Double.nan.postgresText == "NaN")
        #expect(try Double(postgresText: "-Infinity") == -.infinity)
    }

    // MARK: Round trips through a real server

    @Test("typed parameters round-trip through the server")
    func roundTrips() async throws {
        let id = UUID()
        let date = Date(timeIntervalSince1970: 1_700_000_000.654321)
        let bytes: [UInt8] = [0, 1, 0, 255, 0, 10, 0]
        let text = "héllo wörld — 日本語 🎉 'quoted' \"double\" \\ back"
        try await PostgresTestDatabase.withPool { pool in
            let rows = try await pool.query(
                """
                SELECT $1::text AS text, $2::text AS null_text, $3::bytea AS bytes, octet_length($3::bytea) AS byte_count,
                       $4::uuid AS id, $5::timestamptz AS at, $6::bool AS yes, $7::bool AS no,
                       $8::int8 AS big, $9::int8 AS small, $10::int4 AS int4, $11::int AS int, $12::float8 AS double,
                       $5::timestamptz = '2023-11-14 22:13:20.654321+00'::timestamptz AS same_instant
                """,
                [
                    text, String?.none, bytes, id, date, true, false, Int64.max, Int64.min, Int32.min, 42, 0.1,
                ]
            )
            let row = try #require(rows.first)
            #expect(rows.count == 1)
            #expect(try row.decode(String.self, "text") == text)
            #expect(row["null_text"] == nil)
            #expect(try row.decode(String?.self, "null_text") == nil)
            #expect(throws: PostgresError.self) { try row.decode(String.self, "null_text") }
            #expect(try row.decode([UInt8].self, "bytes") == bytes)
            #expect(try row.decode(Int.self, "byte_count") == 7)
            #expect(try row.decode(UUID.self, "id") == id)
            #expect(abs(try row.decode(Date.self, "at").timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
            #expect(try row.decode(Bool.self, "same_instant"))
            #expect(try row.decode(Bool.self, "yes") == true)
            #expect(try row.decode(Bool.self, "no") == false)
            #expect(try row.decode(Int64.self, "big") == Int64.max)
            #expect(try row.decode(Int64.self, "small") == Int64.min)
            #expect(try row.decode(Int32.self, "int4") == Int32.min)
            #expect(try row.decode(Int.self, "int") == 42)
            #expect(try row.decode(Double.self, "double") == 0.1)
            #expect(throws: PostgresError.self) { try row.decode(Int.self, "no_such_column") }
            #expect(throws: PostgresError.self) { try row.decode(UUID.self, "text") }
        }
    }

    @Test("long and empty text parameters arrive whole; a NUL in one is refused before it is sent")
    func textParameters() async throws {
        let long = String(repeating: "ab€😀", count: 5_000)
        try await PostgresTestDatabase.withPool { pool in
            let rows = try await pool.query(
                "SELECT $1::text AS long, $2::text AS empty, $3::text AS null_text, octet_length($1::text) AS bytes",
                [long, "", String?.none])
            let row = try #require(rows.first)
            #expect(try row.decode(String.self, "long") == long)
            #expect(try row.decode(String.self, "empty") == "")
            #expect(try row.decode(String?.self, "null_text") == nil)
            #expect(try row.decode(Int.self, "bytes") == long.utf8.count)
            let refused = await #expect(throws: PostgresError.self) {
                _ = try await pool.query("SELECT $1::text, $2::text", ["fine", "nul \u{0} inside"])
            }
            #expect(refused?.code == .queryFailed)
            #expect(refused?.reason == "parameter 2 contains a NUL character")
            // The connection goes on.
            #expect(try await pool.query("SELECT 1 AS one").first?.decode(Int.self, "one") == 1)
        }
    }

    @Test("the server's own timestamps decode in UTC")
    func serverTimestamps() async throws {
        try await PostgresTestDatabase.withPool { pool in
            let before = Date()
            let row = try #require(
                try await pool.query(
                    "SELECT now() AS now, current_setting('TimeZone') AS zone, '1999-12-31 23:59:59.999999-05'::timestamptz AS y2k"
                ).first
            )
            #expect(row["zone"] == "UTC")
            #expect(abs(try row.decode(Date.self, "now").timeIntervalSince(before)) < 60)
            #expect(row["y2k"] == "2000-01-01 04:59:59.999999+00")
            #expect(
                abs(try row.decode(Date.self, "y2k").timeIntervalSince1970 - 946_702_799.999_999) < 0.000_001
            )
        }
    }

    @Test("rows round-trip through a table, with affected row counts")
    func tableRoundTrip() async throws {
        let table = PostgresTestDatabase.uniqueName("otto_coding")
        try await PostgresTestDatabase.withPool { pool in
            try await pool.withConnection { connection in
                try connection.execute(
                    "CREATE TABLE \(table) (id uuid PRIMARY KEY, name text, payload bytea, created_at timestamptz)"
                )
            }
            let ids = (0..<3).map { _ in UUID() }
            for (index, id) in ids.enumerated() {
                let inserted = try await pool.query(
                    "INSERT INTO \(table) (id, name, payload, created_at) VALUES ($1, $2, $3, $4)",
                    [id, index == 0 ? String?.none : "name \(index)", [UInt8](repeating: 0, count: index), Date()]
                )
                #expect(inserted.affectedRows == 1)
            }
            let updated = try await pool.query("UPDATE \(table) SET name = upper(name) WHERE name IS NOT NULL")
            #expect(updated.affectedRows == 2)
            let rows = try await pool.query("SELECT id, name, payload FROM \(table) ORDER BY octet_length(payload)")
            #expect(rows.columns == ["id", "name", "payload"])
            #expect(try rows.map { try $0.decode(UUID.self, "id") } == ids)
            #expect(try rows.map { try $0.decode(String?.self, "name") } == [nil, "NAME 1", "NAME 2"])
            #expect(try rows.map { try $0.decode([UInt8].self, "payload").count } == [0, 1, 2])
            try await pool.withConnection { connection in try connection.execute("DROP TABLE \(table)") }
        }
    }

    @Test("server errors carry the SQLSTATE but keep server text out of the description")
    func serverErrors() async throws {
        let table = PostgresTestDatabase.uniqueName("otto_errors")
        try await PostgresTestDatabase.withPool { pool in
            try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE \(table) (key text PRIMARY KEY)")
            }
            _ = try await pool.query("INSERT INTO \(table) VALUES ($1)", ["secret-value"])
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("INSERT INTO \(table) VALUES ($1)", ["secret-value"])
            }
            #expect(error?.code == .queryFailed)
            #expect(error?.sqlState == "23505")
            #expect(error?.serverMessage?.contains("duplicate key") == true)
            #expect(error?.description == "PostgresError(queryFailed, sqlState: 23505)")
            let syntax = await #expect(throws: PostgresError.self) { try await pool.query("SELEC 1") }
            #expect(syntax?.sqlState == "42601")
            // The connection that saw the errors is still usable.
            #expect(try await pool.query("SELECT count(*) AS n FROM \(table)").first?.decode(Int.self, "n") == 1)
            try await pool.withConnection { connection in try connection.execute("DROP TABLE \(table)") }
        }
    }
}
