import OttoPostgres

/// Cross-tenant housekeeping of `webhook_events`: the sweep's backlog and the retention cleanup.
///
/// These run with no tenant set, so each transaction sets `app.maintenance = 'on'` locally,
/// which the maintenance policy of migration 3 admits; nothing else ever sets it. Deletes go in
/// small batches (`ctid IN (SELECT … LIMIT n)`), one short transaction each, so no lock is held
/// for long.
public struct WebhookMaintenance: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Events stored more than `olderThanSeconds` ago whose processing was never enqueued, of
    /// every tenant or of `tenantID` only.
    public func unenqueuedEvents(
        olderThanSeconds: Int, limit: Int, tenantID: String? = nil
    ) async throws -> [(id: String, tenantID: String)] {
        try await maintenanceTransaction { connection in
            try connection.query(
                """
                SELECT id, tenant_id FROM webhook_events
                WHERE enqueued_at IS NULL AND received_at < now() - make_interval(secs => $1::integer)
                  AND ($3::uuid IS NULL OR tenant_id = $3::uuid)
                ORDER BY received_at LIMIT $2::integer
                """, [olderThanSeconds, limit, tenantID]
            ).rows.map { (id: try $0.decode(String.self, "id"), tenantID: try $0.decode(String.self, "tenant_id")) }
        }
    }

    /// Deletes events received more than `retentionDays` ago; returns how many.
    public func deleteOldEvents(retentionDays: Int, batchSize: Int = 1000) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await maintenanceTransaction { connection in
                try connection.query(
                    """
                    DELETE FROM webhook_events WHERE ctid IN (
                        SELECT ctid FROM webhook_events
                        WHERE received_at < now() - make_interval(days => $1::integer) LIMIT $2::integer)
                    """, [retentionDays, batchSize]
                ).affectedRows
            }
            total += deleted
            if deleted < batchSize { return total }
        }
    }

    /// Deletes expired idempotency records (the guard rails' `idempotency_keys`), in batches; 0
    /// when that table does not exist yet.
    public func deleteExpiredIdempotencyKeys(batchSize: Int = 1000) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await maintenanceTransaction { connection -> Int in
                let present = try connection.query("SELECT to_regclass('idempotency_keys') IS NOT NULL AS present")
                guard try present.first?.decode(Bool.self, "present") == true else { return 0 }
                return try connection.query(
                    """
                    DELETE FROM idempotency_keys WHERE ctid IN (
                        SELECT ctid FROM idempotency_keys WHERE expires_at < now() LIMIT $1::integer)
                    """, [batchSize]
                ).affectedRows
            }
            total += deleted
            if deleted < batchSize { return total }
        }
    }

    func maintenanceTransaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await TenantScope.maintenanceTransaction(pool, body)
    }
}
