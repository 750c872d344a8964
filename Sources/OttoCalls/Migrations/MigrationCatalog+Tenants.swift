import OttoPostgres

extension MigrationCatalog {
    /// Tenants: one row per customer, keyed internally by UUID and externally by Clerk organisation.
    static let tenants = Migration(
        version: 1, name: "tenants",
        sql: """
            CREATE TABLE tenants (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                clerk_org_id text NOT NULL UNIQUE,
                name text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            """)
}
