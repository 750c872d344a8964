import OttoPostgres

extension MigrationCatalog {
    /// What the no-loss rules need: when a webhook event was last enqueued again (so the sweep
    /// re-runs an unprocessed event at most once per deadline), how often the sweep re-ran it, an
    /// index for the sweep's overdue query, and a renewable lease on in-progress idempotency keys.
    ///
    /// No backfill: rows written before this migration read `coalesce(last_enqueued_at,
    /// enqueued_at)` as their last dispatch and `created_at` plus the lease as their lease, so
    /// nothing has to be updated across tenants (and row-level security, with FORCE, would hide
    /// every row from an unscoped UPDATE anyway).
    static let webhookRecovery = Migration(
        version: 5, name: "webhook_recovery_and_idempotency_leases",
        sql: """
            ALTER TABLE webhook_events ADD COLUMN last_enqueued_at timestamptz;
            ALTER TABLE webhook_events ADD COLUMN sweep_runs integer NOT NULL DEFAULT 0;
            CREATE INDEX webhook_events_overdue ON webhook_events ((coalesce(last_enqueued_at, enqueued_at)))
                WHERE processed_at IS NULL AND enqueued_at IS NOT NULL;
            ALTER TABLE idempotency_keys ADD COLUMN lease_token uuid;
            ALTER TABLE idempotency_keys ADD COLUMN lease_expires_at timestamptz;
            """)
}
