import OttoPostgres

extension CallStore {
    /// The id of the newest webhook event of the tenant's call `callID` (what
    /// `POST /v1/calls/{id}/reprocess` processes again), or nil when the tenant has no such call.
    ///
    /// `callID` must be a UUID (callers check it first: a malformed one is a 404, not an error).
    /// One round trip (``TenantScope/statement(_:tenantID:_:_:)``).
    public func latestEventID(tenantID: String, callID: String) async throws -> String? {
        try await TenantScope.statement(pool, tenantID: tenantID, Self.latestEventSQL, [callID])
            .first?.decode(String.self, "id")
    }

    /// The lookup of ``latestEventID(tenantID:callID:)`` (`$1`: the call's id); it reads the
    /// index `webhook_events_by_call` (migration 9), one row, however many events the table holds.
    static let latestEventSQL = """
        SELECT e.id FROM calls c
        JOIN webhook_events e ON e.tenant_id = c.tenant_id AND e.provider = c.provider
            AND e.provider_call_id = c.provider_call_id
        WHERE c.id = $1::uuid ORDER BY e.received_at DESC LIMIT 1
        """
}
