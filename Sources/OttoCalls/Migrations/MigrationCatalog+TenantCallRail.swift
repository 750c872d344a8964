import OttoPostgres

extension MigrationCatalog {
    /// Each tenant's CallRail binding: the company whose webhooks it receives, and that
    /// company's signing key (with the previous key and the instant until which it stays valid,
    /// for rotation).
    ///
    /// Keys are AES-GCM ciphertexts under `TENANT_SECRETS_KEY` with the tenant id as
    /// authenticated data (``TenantSecretsKey``), never plain text. A company is bound to one
    /// tenant at most: if two tenants named the same company, a webhook that company sent to one
    /// tenant's URL would also be accepted at the other's.
    static let tenantCallRail = Migration(
        version: 4, name: "tenant_callrail_credentials",
        sql: """
            ALTER TABLE tenants
                ADD COLUMN callrail_company_id text CHECK (callrail_company_id <> ''),
                ADD COLUMN callrail_signing_key bytea,
                ADD COLUMN callrail_previous_signing_key bytea,
                ADD COLUMN callrail_previous_key_valid_until timestamptz,
                ADD CONSTRAINT tenants_callrail_previous_key_window CHECK (
                    (callrail_previous_signing_key IS NULL) = (callrail_previous_key_valid_until IS NULL)),
                ADD CONSTRAINT tenants_callrail_previous_needs_current CHECK (
                    callrail_previous_signing_key IS NULL OR callrail_signing_key IS NOT NULL);
            CREATE UNIQUE INDEX tenants_callrail_company ON tenants (callrail_company_id)
                WHERE callrail_company_id IS NOT NULL;
            """)
}
