import OttoPostgres

extension UsageLedger {
    /// `day` across tenants: the `limit` (at least 1) tenants with the most audio seconds, and the sums over
    /// every tenant with usage that day. One query in a maintenance transaction (which
    /// `usage_daily`'s maintenance policy admits), on the ledger's index by day (migration 8), so
    /// it reads that day's rows only, however long the ledger grows.
    public static func day(_ pool: PostgresPool, day: CalendarDay, limit: Int) async throws -> DayUsage {
        let text = day.description
        let rows = try await TenantScope.maintenanceTransaction(pool) { connection in
            return try connection.query(
                """
                SELECT t.id::text AS tenant_id, t.name, \(UsageDay.selectList),
                       count(*) OVER () AS tenant_count,
                       (sum(audio_seconds) OVER ())::double precision AS total_audio_seconds,
                       (sum(transcriptions) OVER ())::bigint AS total_transcriptions,
                       (sum(prompt_tokens) OVER ())::bigint AS total_prompt_tokens,
                       (sum(completion_tokens) OVER ())::bigint AS total_completion_tokens,
                       (sum(analyses) OVER ())::bigint AS total_analyses
                FROM usage_daily u JOIN tenants t ON t.id = u.tenant_id
                WHERE u.day = $1::date
                ORDER BY u.audio_seconds DESC, t.name, t.id
                LIMIT $2
                """, [text, max(1, limit)]
            ).rows
        }
        var usage = DayUsage(day: text, tenantsWithUsage: 0, totals: UsageTotals(), tenants: [])
        guard let first = rows.first else { return usage }
        usage.tenantsWithUsage = try first.decode(Int.self, "tenant_count")
        usage.totals = UsageTotals([
            UsageDay(
                day: text, audioSeconds: try first.decode(Double.self, "total_audio_seconds"),
                transcriptions: try first.decode(Int.self, "total_transcriptions"),
                promptTokens: try first.decode(Int.self, "total_prompt_tokens"),
                completionTokens: try first.decode(Int.self, "total_completion_tokens"),
                analyses: try first.decode(Int.self, "total_analyses"))
        ])
        usage.tenants = try rows.map {
            DayUsage.Tenant(
                tenantID: try $0.decode(String.self, "tenant_id"), name: try $0.decode(String.self, "name"),
                usage: try UsageDay(row: $0))
        }
        return usage
    }
}
