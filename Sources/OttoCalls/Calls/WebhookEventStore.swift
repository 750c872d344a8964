import OttoPostgres

/// `webhook_events`: every verified delivery, written before it is acknowledged, once per
/// (tenant, provider, body hash), always inside the tenant's row-level-security scope.
public struct WebhookEventStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Stores a delivery; `duplicate` is true when the same body was stored before (the id is then
    /// the first delivery's). Throws ``WebhookEventRefusal`` when the tenant does not exist or the
    /// body holds a value the database refuses (retrying cannot help), and the database's own
    /// error otherwise.
    public func insert(
        tenantID: String, provider: WebhookProvider, providerCallID: String?, eventKind: String,
        bodySHA256: String, payloadJSON: String
    ) async throws -> (id: String, duplicate: Bool) {
        do {
            return try await insertRow(
                tenantID: tenantID, provider: provider, providerCallID: providerCallID, eventKind: eventKind,
                bodySHA256: bodySHA256, payloadJSON: payloadJSON)
        } catch let error as PostgresError where error.sqlState == "23503" {
            throw WebhookEventRefusal(code: .unknownTenant)
        } catch let error as PostgresError where error.sqlState?.hasPrefix("22") == true {
            throw WebhookEventRefusal(code: .unstorableValue)
        }
    }

    /// One round trip: the insert and, when the body was stored before, the first delivery's id.
    /// A concurrent first delivery of the same body that commits while this insert waits for it
    /// is not in the statement's snapshot: a second statement reads it then.
    private func insertRow(
        tenantID: String, provider: WebhookProvider, providerCallID: String?, eventKind: String,
        bodySHA256: String, payloadJSON: String
    ) async throws -> (id: String, duplicate: Bool) {
        try await pool.withConnection { connection in
            let rows = try TenantScope.statement(
                on: connection, tenantID: tenantID,
                """
                WITH inserted AS (
                    INSERT INTO webhook_events (tenant_id, provider, provider_call_id, event_kind, body_sha256, payload)
                    VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb)
                    ON CONFLICT (tenant_id, provider, body_sha256) DO NOTHING
                    RETURNING id
                )
                SELECT id, false AS duplicate FROM inserted
                UNION ALL
                SELECT id, true AS duplicate FROM webhook_events
                WHERE tenant_id = $1::uuid AND provider = $2 AND body_sha256 = $5
                  AND NOT EXISTS (SELECT 1 FROM inserted)
                """,
                [tenantID, provider.rawValue, providerCallID, eventKind, bodySHA256, payloadJSON])
            if let row = rows.first {
                return (try row.decode(String.self, "id"), try row.decode(Bool.self, "duplicate"))
            }
            let existing = try TenantScope.statement(
                on: connection, tenantID: tenantID,
                "SELECT id FROM webhook_events WHERE tenant_id = $1::uuid AND provider = $2 AND body_sha256 = $3",
                [tenantID, provider.rawValue, bodySHA256])
            return (try existing.first?.decode(String.self, "id") ?? "", true)
        }
    }

    /// Records that a processing task was enqueued for the event (one round trip).
    public func markEnqueued(tenantID: String, eventID: String) async throws {
        _ = try await TenantScope.statement(
            pool, tenantID: tenantID,
            "UPDATE webhook_events SET enqueued_at = coalesce(enqueued_at, now()) WHERE id = $1::uuid", [eventID])
    }

    /// Records that the event's call was upserted.
    public func markProcessed(tenantID: String, eventID: String) async throws {
        _ = try await TenantScope.statement(
            pool, tenantID: tenantID, "UPDATE webhook_events SET processed_at = now() WHERE id = $1::uuid", [eventID])
    }

    /// The event, if it exists in this tenant.
    public func load(tenantID: String, eventID: String) async throws -> StoredWebhookEvent? {
        try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            try Self.load(connection, eventID: eventID)
        }
    }

    static func load(_ connection: PostgresConnection, eventID: String) throws -> StoredWebhookEvent? {
        let rows = try connection.query(
            """
            SELECT id, tenant_id, provider, provider_call_id, event_kind, payload::text AS payload,
                   processed_at IS NOT NULL AS processed
            FROM webhook_events WHERE id = $1::uuid
            """, [eventID])
        guard let row = rows.first else { return nil }
        return StoredWebhookEvent(
            id: try row.decode(String.self, "id"), tenantID: try row.decode(String.self, "tenant_id"),
            provider: WebhookProvider(rawValue: try row.decode(String.self, "provider")) ?? .twilio,
            providerCallID: try row.decode(String?.self, "provider_call_id"),
            eventKind: try row.decode(String.self, "event_kind"), payload: try row.decode(String.self, "payload"),
            processed: try row.decode(Bool.self, "processed"))
    }
}
