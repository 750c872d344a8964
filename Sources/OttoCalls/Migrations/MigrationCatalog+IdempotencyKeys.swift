import OttoPostgres

extension MigrationCatalog {
    /// Idempotency keys: one stored response per tenant and key, isolated by row-level security.
    ///
    /// Besides the tenant policy, two cleanup policies let the daily cleanup, which runs as the
    /// owning role with no tenant set, remove expired rows of every tenant: DELETE, and SELECT
    /// because a DELETE whose WHERE reads columns must also pass the SELECT policies. Both match
    /// only expired rows and only when no tenant is set; inside a tenant's transaction they
    /// match nothing, so a tenant can never see or delete another tenant's keys.
    static let idempotencyKeys = Migration(
        version: 2, name: "idempotency_keys",
        sql: """
            CREATE TABLE idempotency_keys (
                tenant_id uuid NOT NULL REFERENCES tenants(id),
                key text NOT NULL,
                fingerprint text NOT NULL,
                state text NOT NULL CHECK (state IN ('in_progress', 'completed')),
                status integer,
                headers jsonb,
                body bytea,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                PRIMARY KEY (tenant_id, key)
            );
            CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
            \(TenantScope.policySQL(table: "idempotency_keys"))
            CREATE POLICY idempotency_keys_cleanup_delete ON idempotency_keys
                FOR DELETE
                USING (NULLIF(current_setting('\(TenantScope.setting)', true), '') IS NULL AND expires_at < now());
            CREATE POLICY idempotency_keys_cleanup_select ON idempotency_keys
                FOR SELECT
                USING (NULLIF(current_setting('\(TenantScope.setting)', true), '') IS NULL AND expires_at < now());
            """)
}
