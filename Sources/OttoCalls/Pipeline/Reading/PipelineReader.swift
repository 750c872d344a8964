import OttoPostgres

/// The pipeline's read side for the HTTP layer, which names no PostgreSQL type: a pool and the
/// readers ``TranscriptRecords``, ``AnalysisRecords`` and ``UsageLedger`` over it.
public struct PipelineReader: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// ``TranscriptRecords/load(_:tenantID:callID:)``.
    public func transcript(tenantID: String, callID: String) async throws -> TranscriptRecord? {
        try await TranscriptRecords.load(pool, tenantID: tenantID, callID: callID)
    }

    /// ``AnalysisRecords/load(_:tenantID:callID:)``.
    public func analysis(tenantID: String, callID: String) async throws -> AnalysisRecord? {
        try await AnalysisRecords.load(pool, tenantID: tenantID, callID: callID)
    }

    /// ``UsageLedger/days(_:tenantID:from:to:)``.
    public func usage(tenantID: String, range: UsageRange) async throws -> [UsageDay] {
        try await UsageLedger.days(pool, tenantID: tenantID, from: range.from, to: range.to)
    }

    /// ``UsageLedger/allTenants(_:from:to:tenantID:)``.
    public func usageOfAllTenants(range: UsageRange, tenantID: String? = nil) async throws -> [TenantUsage] {
        try await UsageLedger.allTenants(pool, from: range.from, to: range.to, tenantID: tenantID)
    }
}
