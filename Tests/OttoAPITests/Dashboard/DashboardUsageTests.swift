import Foundation
import OttoCalls
import OttoPostgres
import OttoTasks
import OttoTestSupport
import Testing

/// The dashboard's usage panel reads today's ledger across tenants from PostgreSQL: every
/// tenant's sum and the tenants with the most audio, in the polled state and in the page's
/// first render.
@Suite("Operator dashboard: today's usage per tenant")
struct DashboardUsageTests {
    @Test("today's usage shows per tenant, the most audio first, with every tenant's sum, in the state and on the page")
    func usagePanel() async throws {
        let database = try await OwnDatabase.create("dashusage")
        // Today's rows, and the same for tomorrow, so a read across midnight sees the same figures.
        let today = CalendarDay(unixSeconds: Date().timeIntervalSince1970)
        let days = [today, CalendarDay(daysSinceEpoch: today.daysSinceEpoch + 1)]
        let (small, large) = try await database.withPool { pool in
            let records = TenantRecords(pool: pool)
            let small = try await records.create(clerkOrgID: "org_dash_small", name: "Small <&> Co").id
            let large = try await records.create(clerkOrgID: "org_dash_large", name: "Large Roofing").id
            _ = try await records.create(clerkOrgID: "org_dash_idle", name: "Idle Ltd")
            for day in days {
                try await PipelineRows.usage(
                    pool, tenant: small, day: day.description, audioSeconds: 30, transcriptions: 1, promptTokens: 900,
                    completionTokens: 100, analyses: 1)
                try await PipelineRows.usage(
                    pool, tenant: large, day: day.description, audioSeconds: 5400, transcriptions: 40,
                    promptTokens: 36_000, completionTokens: 4_000, analyses: 39)
            }
            // Yesterday is not today.
            try await PipelineRows.usage(
                pool, tenant: small, day: CalendarDay(daysSinceEpoch: today.daysSinceEpoch - 1).description,
                audioSeconds: 999, transcriptions: 9, promptTokens: 9, completionTokens: 9, analyses: 9)
            return (small, large)
        }
        let read = try await DashboardRead.fetch(
            databaseURL: database.url, prefix: "dashusage", token: "dashboard-usage-token-0123456789abcdef")
        let (state, page) = (read.state, read.page)
        await database.drop()

        #expect(state.status == 200)
        let usage = try #require(state.json?["usage"] as? [String: Any], "\(state.text)")
        #expect(days.map(\.description).contains(usage["day"] as? String ?? ""))
        #expect(usage["tenants_with_usage"] as? Int == 2, "the idle tenant has no row today")
        let totals = try #require(usage["totals"] as? [String: Any])
        #expect(totals["audio_seconds"] as? Double == 5430)
        #expect(totals["prompt_tokens"] as? Int == 36_900)
        #expect(totals["analyses"] as? Int == 40)
        let tenants = try #require(usage["tenants"] as? [[String: Any]])
        #expect(tenants.map { $0["tenant_id"] as? String } == [large, small], "the most audio first")
        #expect(tenants.first?["name"] as? String == "Large Roofing")
        #expect((tenants.last?["usage"] as? [String: Any])?["completion_tokens"] as? Int == 100)
        #expect((state.json?["unavailable"] as? [String])?.contains("usage") == false)

        #expect(page.status == 200)
        #expect(page.text.contains("Pipeline: usage today"))
        #expect(page.text.contains("2 tenants with usage."), "\(page.text)")
        #expect(page.text.contains("<th scope=\"row\">All tenants</th><td>2 with usage</td><td>1.5 h</td>"))
        #expect(page.text.contains("<th scope=\"row\">Large Roofing</th><td>\(large)</td><td>1.5 h</td><td>40</td>"))
        #expect(page.text.contains("Small &lt;&amp;&gt; Co"), "names are escaped")
        #expect(!page.text.contains("Idle Ltd"))
    }
}
