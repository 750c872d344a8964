import OttoPostgres

/// Reads the per-tenant usage ledger (`usage_daily`, written by the pipeline's steps): a tenant
/// reads its own days inside its row-level-security scope; the operator reads every tenant's in
/// a maintenance transaction.
public enum UsageLedger {
    /// The tenant's days with usage from `from` to `to` (both included), oldest first.
    public static func days(_ pool: PostgresPool, tenantID: String, from: CalendarDay, to: CalendarDay)
        async throws -> [UsageDay]
    {
        guard UUIDText.isValid(tenantID) else { return [] }
        let (first, last) = (from.description, to.description)
        return try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            try connection.query(
                """
                SELECT \(UsageDay.selectList) FROM usage_daily
                WHERE tenant_id = $1::uuid AND day BETWEEN $2::date AND $3::date ORDER BY day
                """, [tenantID, first, last]
            ).rows.map { try UsageDay(row: $0) }
        }
    }

    /// Every tenant (or only `tenantID`), by name, each with its days with usage from `from` to
    /// `to`; a tenant without usage in the range is listed with no days. Runs with
    /// `app.maintenance = 'on'`, which `usage_daily`'s maintenance policy admits (`tenants` has no
    /// row-level security; its columns do not clash with the ledger's, so they go unqualified).
    public static func allTenants(
        _ pool: PostgresPool, from: CalendarDay, to: CalendarDay, tenantID: String? = nil
    ) async throws -> [TenantUsage] {
        if let tenantID, !UUIDText.isValid(tenantID) { return [] }
        let (first, last) = (from.description, to.description)
        let rows = try await TenantScope.maintenanceTransaction(pool) { connection in
            return try connection.query(
                """
                SELECT t.id AS tenant_id, t.name, u.day IS NOT NULL AS used,
                       \(UsageDay.selectList)
                FROM tenants t
                LEFT JOIN usage_daily u ON u.tenant_id = t.id AND u.day BETWEEN $1::date AND $2::date
                WHERE ($3::uuid IS NULL OR t.id = $3::uuid)
                ORDER BY t.name, t.id, u.day
                """, [first, last, tenantID]
            ).rows.map { row -> (String, String, UsageDay?) in
                (
                    try row.decode(String.self, "tenant_id"), try row.decode(String.self, "name"),
                    try row.decode(Bool.self, "used") ? try UsageDay(row: row) : nil
                )
            }
        }
        var tenants: [TenantUsage] = []
        for (id, name, day) in rows {
            if tenants.last?.tenantID != id { tenants.append(TenantUsage(tenantID: id, name: name, days: [])) }
            if let day { tenants[tenants.count - 1].days.append(day) }
        }
        return tenants
    }
}
