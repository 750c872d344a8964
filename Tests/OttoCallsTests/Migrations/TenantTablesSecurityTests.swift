import OttoCalls
import OttoPostgres
import OttoTestSupport
import Testing

/// Every table that holds a tenant's rows is bound by row-level security for its owner too, so
/// a migration that adds a tenant table and forgets its policy fails here, not in production.
@Suite("Tenant tables are under row-level security")
struct TenantTablesSecurityTests {
    /// The tables with a `tenant_id` column, and what each lacks (empty when nothing).
    static func tenantTables(_ pool: PostgresPool) async throws -> [String: [String]] {
        let rows = try await pool.query(
            """
            SELECT c.relname AS name, c.relrowsecurity::text AS enabled, c.relforcerowsecurity::text AS forced,
                   EXISTS (SELECT 1 FROM pg_policies p
                           WHERE p.tablename = c.relname AND p.policyname = c.relname || '_tenant_isolation')::text
                       AS isolated
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r'
              AND EXISTS (SELECT 1 FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
            """)
        var tables: [String: [String]] = [:]
        for row in rows {
            var missing: [String] = []
            if row["enabled"] != "true" { missing.append("row-level security enabled") }
            if row["forced"] != "true" { missing.append("row-level security forced") }
            if row["isolated"] != "true" { missing.append("the tenant isolation policy") }
            tables[row["name"] ?? "?"] = missing
        }
        return tables
    }

    @Test("every table with a tenant_id column: RLS enabled and forced, with the tenant isolation policy")
    func everyTenantTableIsForced() async throws {
        let tables = try await FreshDatabase.with { pool in try await Self.tenantTables(pool) }
        for table in ["recordings", "workflows", "workflow_steps", "transcripts", "analyses", "usage_daily"] {
            #expect(tables[table] != nil, "\(table) has no tenant_id column")
        }
        for (table, missing) in tables.sorted(by: { $0.key < $1.key }) {
            #expect(missing.isEmpty, "\(table) lacks \(missing.joined(separator: ", "))")
        }
    }

    @Test("the check finds a tenant table that a migration left without its policy")
    func theCheckFindsAnUnprotectedTable() async throws {
        let careless = Migration(
            version: MigrationCatalog.all.count + 1, name: "careless",
            sql: """
                CREATE TABLE notes (id serial PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants(id));
                ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
                """)
        let tables = try await FreshDatabase.with(migrations: MigrationCatalog.all + [careless]) { pool in
            try await Self.tenantTables(pool)
        }
        #expect(tables["notes"] == ["row-level security forced", "the tenant isolation policy"])
        #expect(tables["calls"] == [])
    }

    @Test("a pipeline row written in tenant A's scope is invisible and unwritable in tenant B's")
    func pipelineRowsAreIsolated() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenantA = try await CallsTestDatabase.tenant(pool)
            let tenantB = try await CallsTestDatabase.tenant(pool)
            try await TenantScope.transaction(pool, tenantID: tenantA) { connection in
                _ = try connection.query(
                    """
                    INSERT INTO usage_daily (tenant_id, day, audio_seconds) VALUES ($1::uuid, current_date, 60)
                    """, [tenantA])
            }
            let seenByB = try await TenantScope.transaction(pool, tenantID: tenantB) { connection in
                try connection.query("SELECT count(*) AS n FROM usage_daily WHERE tenant_id = $1::uuid", [tenantA])
                    .first?["n"]
            }
            #expect(seenByB == "0")
            await #expect(throws: PostgresError.self) {
                try await TenantScope.transaction(pool, tenantID: tenantB) { connection in
                    _ = try connection.query(
                        "INSERT INTO usage_daily (tenant_id, day) VALUES ($1::uuid, current_date - 1)", [tenantA])
                }
            }
        }
    }
}
