import OttoPostgres

/// Runs statements as one tenant: a transaction that sets `app.tenant_id`, which every
/// tenant-scoped table's row-level security policy compares with its `tenant_id`.
///
/// Tenant tables use `FORCE ROW LEVEL SECURITY`, so even the owning role the application
/// connects as only sees the current tenant's rows, and a query that forgets its
/// `WHERE tenant_id = …` still cannot read another tenant's data. Policies are written as
/// `USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`; with no
/// tenant set the setting is NULL, or the empty string on a pooled connection that once set it
/// (PostgreSQL keeps a custom setting's name after the transaction ends), and no row matches.
public enum TenantScope {
    /// The session setting the policies read.
    public static let setting = "app.tenant_id"

    /// Runs `body` in a transaction scoped to `tenantID` (a UUID string).
    public static func transaction<T: Sendable>(
        _ pool: PostgresPool, tenantID: String, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await pool.transaction { connection in
            _ = try connection.query("SELECT set_config($1, $2, true)", [setting, tenantID])
            return try body(connection)
        }
    }

    /// The policy SQL for a tenant table (used by migrations).
    public static func policySQL(table: String) -> String {
        """
        ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY;
        ALTER TABLE \(table) FORCE ROW LEVEL SECURITY;
        CREATE POLICY \(table)_tenant_isolation ON \(table)
            USING (tenant_id = NULLIF(current_setting('\(setting)', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('\(setting)', true), '')::uuid);
        """
    }
}
