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

    /// Runs `body` in a transaction scoped to `tenantID` (a UUID string). `BEGIN` and the
    /// setting travel in one round trip (pipelined, prepared once per connection).
    public static func transaction<T: Sendable>(
        _ pool: PostgresPool, tenantID: String, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await transaction(pool, setting: setting, to: tenantID, body)
    }

    /// Runs `body` in a transaction with the custom setting `name` set locally to `value`; `BEGIN`
    /// and the setting travel in one round trip.
    static func transaction<T: Sendable>(
        _ pool: PostgresPool, setting name: String, to value: String,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await pool.withConnection { connection in
            do {
                _ = try connection.pipeline([begin, PostgresStatement(setSQL, [name, value])])
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch {
                // The original error matters; a failed ROLLBACK leaves the connection to be discarded.
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs one statement as `tenantID` in one round trip: `BEGIN`, the setting, the statement
    /// and `COMMIT` are pipelined, each prepared once per connection. The statement's rows.
    public static func statement(
        _ pool: PostgresPool, tenantID: String, _ sql: String, _ parameters: [any PostgresParameter] = []
    ) async throws -> PostgresRows {
        try await pool.withConnection { connection in
            try statement(on: connection, tenantID: tenantID, sql, parameters)
        }
    }

    /// ``statement(_:tenantID:_:_:)`` on a connection already checked out.
    public static func statement(
        on connection: PostgresConnection, tenantID: String, _ sql: String, _ parameters: [any PostgresParameter] = []
    ) throws -> PostgresRows {
        do {
            let results = try connection.pipeline([
                begin, PostgresStatement(setSQL, [setting, tenantID]), PostgresStatement(sql, parameters), commit,
            ])
            return results[2]
        } catch {
            // A failed statement leaves the pipelined transaction aborted.
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    private static let setSQL = "SELECT set_config($1, $2, true)"
    private static let begin = PostgresStatement("BEGIN")
    private static let commit = PostgresStatement("COMMIT")

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
