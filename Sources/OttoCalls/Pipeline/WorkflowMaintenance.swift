import OttoPostgres
import OttoTasks

/// Cross-tenant reads of `workflows` for the workflow sweep. Like ``WebhookMaintenance``, each
/// transaction sets `app.maintenance = 'on'` locally, which migration 6's maintenance policies
/// admit; no tenant is set.
public enum WorkflowMaintenance {
    /// Queued or running workflows of every tenant not updated for `olderThan`, oldest first, at
    /// most `limit` (through the partial index `workflows_unfinished`).
    public static func overdue(_ pool: PostgresPool, olderThan: Duration, limit: Int) async throws -> [OverdueWorkflow]
    {
        let (seconds, attoseconds) = olderThan.components
        let threshold = max(Double(seconds) + Double(attoseconds) / 1e18, 0)
        return try await TenantScope.maintenanceTransaction(pool) { connection in
            return try connection.query(
                """
                SELECT tenant_id, name, subject_id, run, state, extract(epoch FROM updated_at)::float8 AS updated_at
                FROM workflows
                WHERE state IN ('queued', 'running') AND updated_at < now() - make_interval(secs => $1::float8)
                ORDER BY updated_at LIMIT $2::integer
                """, [threshold, max(limit, 0)]
            ).rows.map { row in
                guard let state = WorkflowStatus.State(rawValue: try row.decode(String.self, "state")) else {
                    throw PostgresError(code: .decoding, reason: "unknown workflow state")
                }
                return OverdueWorkflow(
                    tenantID: try row.decode(String.self, "tenant_id"), workflow: try row.decode(String.self, "name"),
                    subjectID: try row.decode(String.self, "subject_id"), run: try row.decode(Int.self, "run"),
                    state: state, updatedAt: try row.decode(Double.self, "updated_at"))
            }
        }
    }
}
