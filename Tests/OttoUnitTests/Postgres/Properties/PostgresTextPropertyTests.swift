import Foundation
import OttoPostgres
import OttoTestSupport
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// PostgreSQL timestamps and connection URLs: the formatter never traps (any `Date`, however
/// absurd, becomes text the server accepts), the parser reads what the formatter writes, and
/// URL validation never traps or quotes a password.
@Suite("Property: PostgreSQL text")
struct PostgresTextPropertyTests {
    @Test("any Date formats without trapping; instants of 0001-9999 round-trip to the microsecond")
    func timestampRoundTrip() async throws {
        for seconds in PropertyInput.extremeInstants {
            let text = PostgresTimestamp.format(Date(timeIntervalSince1970: seconds))
            if seconds.isNaN {
                #expect(text == nil)
            } else if seconds < WebhookTime.earliest {
                #expect(text == "-infinity", "\(seconds)")
            } else if seconds >= WebhookTime.latest {
                #expect(text == "infinity", "\(seconds)")
            }
        }
        var random = PropertyInput.generator("timestamp-round-trip")
        // `Date` keeps seconds since 2001 as a Double, so it resolves microseconds exactly only
        // near 1970-2035 (where calls are); there the round trip is exact to the microsecond, and
        // everywhere else it is exact to the Double's own resolution.
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let micros = Int64.random(in: 0...2_000_000_000_000_000, using: &random)
            let date = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
            let text = try #require(PostgresTimestamp.format(date))
            let parsed = try #require(PostgresTimestamp.parse(text), "\(text)")
            #expect(Int64((parsed.timeIntervalSince1970 * 1_000_000).rounded()) == micros, "\(micros) -> \(text)")
        }
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let seconds = Double.random(in: WebhookTime.earliest..<WebhookTime.latest, using: &random)
            let text = try #require(PostgresTimestamp.format(Date(timeIntervalSince1970: seconds)))
            let parsed = try #require(PostgresTimestamp.parse(text), "\(text)").timeIntervalSince1970
            #expect(abs(parsed - seconds) <= Self.tolerance(seconds), "\(seconds) -> \(text) -> \(parsed)")
        }
    }

    /// Half a microsecond (the text's resolution) plus the Double rounding of four conversions
    /// between seconds since 1970 and `Date`'s seconds since 2001.
    static func tolerance(_ seconds: Double) -> Double {
        0.000_000_5 + 4 * max(seconds.ulp, (seconds - 978_307_200).ulp, Double(978_307_200).ulp)
    }

    @Test("any text parses to nil or an instant, never a trap")
    func timestampAnyInput() async {
        var random = PropertyInput.generator("timestamp-any")
        let seeds = [
            "2023-11-14 22:13:20.123456+00", "2023-11-14 23:43:20.5+01:30:15", "9999999-12-31 24:00:00-15:59",
            "2023-11-14T22:13:20Z",
        ]
        for iteration in 0..<PropertyInput.iterations * 4 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: seeds, using: &random)
            if let date = PostgresTimestamp.parse(PropertyInput.string(input)) {
                #expect(date.timeIntervalSince1970.isFinite, "\(PropertyInput.describe(input))")
            }
        }
    }

    static let urlSeeds = [
        "postgres://otto:s3cr3t-Zq9@127.0.0.1:5432/otto?sslmode=require&connect_timeout=5",
        "postgresql://[::1]:5432,host2:5433/db?application_name=x&keepalives_idle=30",
        "postgres://u:p%40ss@h/db?target_session_attrs=read-write",
    ]

    @Test("any DATABASE_URL is validated without trapping, in fixed phrases that never quote it")
    func databaseURLAnyInput() async {
        var random = PropertyInput.generator("database-url-any")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: Self.urlSeeds, using: &random)
            let text = PropertyInput.string(input).replacing("\u{0}", with: "")
            let problems = PostgresConfiguration.problems(inURL: text)
            for problem in problems {
                #expect(!problem.contains("Zq9"), "\(PropertyInput.describe(input)): \(problem)")
            }
            // The description redacts the password libpq parsed; a malformed URL can put secret-looking
            // text into the user, host or database name, which it shows (SecretRedactionTests covers
            // the redaction itself), so here it only has to be produced.
            _ = PostgresConfiguration(url: text).description
        }
    }

    @Test("generated DATABASE_URLs with integer options are valid exactly when libpq can read them")
    func databaseURLIntegerOptions() async {
        var random = PropertyInput.generator("database-url-integers")
        let options = [
            "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
            "tcp_user_timeout",
        ]
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let option = options.randomElement(using: &random)!
            let value: UInt64 =
                Bool.random(using: &random)
                ? UInt64.random(in: 0...UInt64(Int32.max), using: &random)
                : UInt64.random(in: UInt64(Int32.max) + 1...UInt64.max, using: &random)
            let port = Int.random(in: 1...65535, using: &random)
            let url = "postgres://otto@127.0.0.1:\(port)/otto?\(option)=\(value)"
            let problems = PostgresConfiguration.problems(inURL: url)
            #expect(problems.isEmpty == (value <= UInt64(Int32.max)), "\(url): \(problems)")
        }
    }
}
