import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTestSupport
import Testing

/// `otto-api tenants usage` run as an operator runs it (the real binary, DATABASE_URL only),
/// over ledger rows inserted in two tenants' scopes.
@Suite("Tenants usage command")
struct TenantsUsageCommandTests {
    struct Seed {
        var acme: String
        var bolt: String
        var idle: String
    }

    /// Three tenants: Acme with two days in January 2026 and one in December 2025, Bolt with one
    /// day, Idle with none.
    static func seed() async throws -> Seed {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try TestServices.databaseURL(), poolSize: 1),
            logger: Logger(label: "otto.tests"))
        do {
            try await MigrationRunner(pool: pool, logger: Logger(label: "otto.tests")).migrate()
            let records = TenantRecords(pool: pool)
            let suffix = UUID().uuidString.prefix(8).lowercased()
            func tenant(_ name: String) async throws -> String {
                try await records.create(clerkOrgID: "org_usage_\(name)_\(suffix)", name: "\(name) \(suffix)").id
            }
            let seed = Seed(
                acme: try await tenant("Acme"), bolt: try await tenant("Bolt"), idle: try await tenant("Idle"))
            for (day, seconds, tokens) in [
                ("2026-01-30", 310.0, 5400), ("2026-01-31", 125.4, 1840), ("2025-12-01", 9.0, 9),
            ] {
                try await PipelineRows.usage(
                    pool, tenant: seed.acme, day: day, audioSeconds: seconds, transcriptions: 1, promptTokens: tokens,
                    completionTokens: 100, analyses: 1)
            }
            try await PipelineRows.usage(
                pool, tenant: seed.bolt, day: "2026-01-15", audioSeconds: 60, transcriptions: 2, promptTokens: 700,
                completionTokens: 70, analyses: 2)
            await pool.shutdown()
            return seed
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    static let january = ["--from", "2026-01-01", "--to", "2026-01-31"]

    @Test("--json prints the range and every tenant's days in it with totals; --tenant keeps one")
    func json() async throws {
        let seed = try await Self.seed()

        let document = try await TenantsCLI.json(["usage"] + Self.january)

        #expect(document["from"] as? String == "2026-01-01")
        #expect(document["to"] as? String == "2026-01-31")
        let tenants = try #require(document["tenants"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: tenants.compactMap { t in (t["id"] as? String).map { ($0, t) } })
        let acme = try #require(byID[seed.acme])
        #expect(Set(acme.keys) == ["id", "name", "days", "totals"])
        #expect((acme["name"] as? String)?.hasPrefix("Acme ") == true)
        let days = try #require(acme["days"] as? [[String: Any]])
        #expect(days.map { $0["day"] as? String } == ["2026-01-30", "2026-01-31"])
        #expect(
            Set(days.first?.keys.map { $0 } ?? [])
                == ["day", "audio_seconds", "transcriptions", "prompt_tokens", "completion_tokens", "analyses"])
        let totals = try #require(acme["totals"] as? [String: Any])
        #expect(totals["audio_seconds"] as? Double == 435.4)
        #expect(totals["prompt_tokens"] as? Int == 7240)
        #expect(totals["completion_tokens"] as? Int == 200)
        #expect(totals["transcriptions"] as? Int == 2)
        #expect(totals["analyses"] as? Int == 2)
        #expect((byID[seed.bolt]?["totals"] as? [String: Any])?["audio_seconds"] as? Double == 60)
        #expect((byID[seed.idle]?["days"] as? [Any])?.isEmpty == true)
        #expect((byID[seed.idle]?["totals"] as? [String: Any])?["transcriptions"] as? Int == 0)

        let one = try await TenantsCLI.json(["usage", "--tenant", seed.bolt] + Self.january)
        #expect((one["tenants"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [seed.bolt])
    }

    @Test("the table prints a block per tenant: a row per day with usage and a total row")
    func table() async throws {
        let seed = try await Self.seed()

        let (status, output) = try await TenantsCLI.run(["usage", "--tenant", seed.acme] + Self.january)

        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "usage from 2026-01-01 to 2026-01-31 (UTC days)", "\(output)")
        #expect(lines.contains { $0.hasPrefix("\(seed.acme)  Acme ") }, "\(output)")
        func cells(_ prefix: String) -> [String]? {
            lines.first { $0.hasPrefix("  \(prefix)") }?.split(separator: " ").map(String.init)
        }
        #expect(
            cells("day") == [
                "day", "audio_seconds", "transcriptions", "prompt_tokens", "completion_tokens", "analyses",
            ],
            "\(output)")
        #expect(cells("2026-01-30") == ["2026-01-30", "310.0", "1", "5400", "100", "1"], "\(output)")
        #expect(cells("2026-01-31") == ["2026-01-31", "125.4", "1", "1840", "100", "1"], "\(output)")
        #expect(cells("total") == ["total", "435.4", "2", "7240", "200", "2"], "\(output)")
        #expect(!output.contains("2025-12-01"), "a day outside the range was printed: \(output)")
        #expect(!output.contains(seed.bolt), "\(output)")
    }

    @Test("a bad range exits 64 with the API's reason; an unknown tenant exits 1")
    func errors() async throws {
        _ = try await Self.seed()
        let (reversed, reversedOutput) = try await TenantsCLI.run([
            "usage", "--from", "2026-02-01", "--to", "2026-01-31",
        ])
        #expect(reversed == 64, "\(reversedOutput)")
        #expect(reversedOutput.contains("from must not be after to."), "\(reversedOutput)")
        let (bad, badOutput) = try await TenantsCLI.run(["usage", "--to", "2026-02-30"])
        #expect(bad == 64, "\(badOutput)")
        #expect(badOutput.contains("to must be a date such as 2026-01-31"), "\(badOutput)")
        let (unknown, unknownOutput) = try await TenantsCLI.run(["usage", "--tenant", UUID().uuidString])
        #expect(unknown == 1, "\(unknownOutput)")
        #expect(unknownOutput.contains("no tenant"), "\(unknownOutput)")
    }
}
