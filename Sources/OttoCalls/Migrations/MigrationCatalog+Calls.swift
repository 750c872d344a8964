import OttoPostgres

extension MigrationCatalog {
    /// Webhook events and calls, both tenant-scoped under row-level security.
    ///
    /// Maintenance access: the webhook sweep and the daily cleanup work across tenants with no
    /// tenant set. Because the tables use FORCE ROW LEVEL SECURITY, a SECURITY DEFINER function
    /// would still be bound by the policies (it runs as the owner, which FORCE binds too), so
    /// instead `webhook_events` has a second, permissive policy that admits every row when the
    /// transaction has run `SET LOCAL app.maintenance = 'on'`. Only OttoCore's maintenance code
    /// (`WebhookMaintenance`) sets it, always transaction-locally; tenant transactions never do,
    /// so they still see only their own rows. `calls` has no maintenance policy: nothing outside
    /// a tenant scope reads or writes it.
    static let calls = Migration(
        version: 3, name: "webhook_events_and_calls",
        sql: """
            CREATE TABLE webhook_events (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                tenant_id uuid NOT NULL REFERENCES tenants(id),
                provider text NOT NULL CHECK (provider IN ('twilio', 'callrail')),
                provider_call_id text,
                event_kind text NOT NULL,
                body_sha256 text NOT NULL,
                payload jsonb NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                enqueued_at timestamptz,
                processed_at timestamptz,
                UNIQUE (tenant_id, provider, body_sha256)
            );
            CREATE INDEX webhook_events_unenqueued ON webhook_events (received_at) WHERE enqueued_at IS NULL;
            CREATE INDEX webhook_events_received_at ON webhook_events (received_at);
            \(TenantScope.policySQL(table: "webhook_events"))
            CREATE POLICY webhook_events_maintenance ON webhook_events
                USING (current_setting('app.maintenance', true) = 'on')
                WITH CHECK (current_setting('app.maintenance', true) = 'on');

            CREATE TABLE calls (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                tenant_id uuid NOT NULL REFERENCES tenants(id),
                provider text NOT NULL CHECK (provider IN ('twilio', 'callrail')),
                provider_call_id text NOT NULL,
                direction text,
                from_number text,
                to_number text,
                tracking_number text,
                status text NOT NULL,
                started_at timestamptz,
                ended_at timestamptz,
                duration_seconds integer,
                recording_url text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, provider, provider_call_id)
            );
            CREATE INDEX calls_listing ON calls (tenant_id, (coalesce(started_at, created_at)) DESC, id DESC);
            \(TenantScope.policySQL(table: "calls"))
            """)
}
