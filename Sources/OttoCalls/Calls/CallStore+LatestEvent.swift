import OttoPostgres

extension CallStore {
    /// The id of the newest webhook event of the tenant's call `callID` (what
    /// `POST /v1/calls/{id}/reprocess` processes again), or nil when the tenant has no such call.
    ///
    /// `callID` must be a UUID (callers check it first: a malformed one is a 404, not an error).
    /// One round trip (``TenantScope/statement(_:tenantID:_:_:)``).
    public func latestEventID(tenantID: String, callID: String) async throws -> String? {
        try await TenantScope.statement(
            pool, tenantID: tenantID,
            """
            SELECT e.id FROM calls c
            JOIN webhook_events e ON e.provider = c.provider AND e.provider_call_id = c.provider_call_id
            WHERE c.id = $1::uuid ORDER BY e.received_at DESC LIMIT 1
            """, [callID]
        ).first?.decode(String.self, "id")
    }
}
