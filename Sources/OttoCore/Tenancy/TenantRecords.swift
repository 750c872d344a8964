/// The `tenants` rows as the operator's `tenants create` / `list` commands see them (with
/// names). Authentication maps organisations to tenant ids through its own cached lookup; both
/// write the same table, so a tenant is the same whichever created it.
public struct TenantRecords: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The tenant of `clerkOrgID`, created with `name` on first sight; a repeat returns the
    /// existing tenant unchanged (same id), so the command is safe to run twice.
    public func create(clerkOrgID: String, name: String) async throws -> Tenant {
        let rows = try await pool.query(
            """
            WITH inserted AS (
                INSERT INTO tenants (clerk_org_id, name) VALUES ($1, $2)
                ON CONFLICT (clerk_org_id) DO NOTHING
                RETURNING id, clerk_org_id, name
            )
            SELECT id, clerk_org_id, name FROM inserted
            UNION ALL
            SELECT id, clerk_org_id, name FROM tenants WHERE clerk_org_id = $1
            LIMIT 1
            """, [clerkOrgID, name])
        guard let row = rows.first else { throw PostgresError(code: .queryFailed, reason: "tenant not returned") }
        return try Self.tenant(row)
    }

    /// Every tenant, oldest first.
    public func list() async throws -> [Tenant] {
        try await pool.query("SELECT id, clerk_org_id, name FROM tenants ORDER BY created_at, id").rows.map(Self.tenant)
    }

    static func tenant(_ row: PostgresRow) throws -> Tenant {
        Tenant(
            id: try row.decode(String.self, "id"), clerkOrgID: try row.decode(String.self, "clerk_org_id"),
            name: try row.decode(String.self, "name"))
    }
}
