import OttoPostgres

/// Reads a call's transcript inside its tenant's row-level-security scope, so another tenant's
/// call has none.
public enum TranscriptRecords {
    /// The transcript of the tenant's call, or nil (no such call, none yet, another tenant's).
    public static func load(_ pool: PostgresPool, tenantID: String, callID: String) async throws
        -> TranscriptRecord?
    {
        guard UUIDText.isValid(callID) else { return nil }
        return try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            try connection.query(
                "SELECT \(TranscriptRecord.selectList) FROM transcripts WHERE call_id = $1::uuid", [callID]
            ).first.map { try TranscriptRecord(row: $0) }
        }
    }
}
