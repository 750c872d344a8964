import OttoPostgres

extension MigrationCatalog {
    /// A call's webhook events, newest first: `POST /v1/calls/{id}/reprocess` looks up the
    /// latest one (`CallStore.latestEventID`), and without this index that read scanned every
    /// tenant's events (9 ms at 26,000 events, growing with the table).
    static let webhookEventsByCall = Migration(
        version: 9, name: "webhook_events_by_call",
        sql: """
            CREATE INDEX webhook_events_by_call
                ON webhook_events (tenant_id, provider, provider_call_id, received_at DESC);
            """)
}
