import OttoPostgres
import OttoTasks

extension WorkflowMaintenance {
    /// The workflows named `workflow` across tenants, in queries shaped for the partial indexes
    /// `workflows_unfinished` and `workflows_failed` (unfinished and failed rows only).
    public static func overview(_ pool: PostgresPool, workflow: String, failures: Int = 10) async throws
        -> WorkflowOverview
    {
        try await TenantScope.maintenanceTransaction(pool) { connection in
            let unfinished = try connection.query(
                """
                SELECT count(*) FILTER (WHERE state = 'queued')::integer AS queued,
                       count(*) FILTER (WHERE state = 'running')::integer AS running,
                       extract(epoch FROM now() - min(updated_at))::float8 AS oldest
                FROM workflows WHERE state IN ('queued', 'running') AND name = $1
                """, [workflow]
            ).first
            let failed = try connection.query(
                """
                SELECT count(*)::integer AS failed FROM workflows
                WHERE state = 'failed' AND finished_at > now() - interval '1 day' AND name = $1
                """, [workflow]
            ).first
            let recent = try connection.query(
                """
                SELECT w.tenant_id, w.subject_id, w.run, s.step, s.last_error,
                       extract(epoch FROM now() - w.finished_at)::float8 AS age
                FROM workflows w
                LEFT JOIN LATERAL (
                    SELECT step, last_error FROM workflow_steps
                    WHERE workflow_id = w.id AND state = 'failed' ORDER BY position LIMIT 1
                ) s ON true
                WHERE w.state = 'failed' AND w.finished_at > now() - interval '1 day' AND w.name = $1
                ORDER BY w.finished_at DESC LIMIT $2::integer
                """, [workflow, max(failures, 0)]
            ).rows.map { row in
                WorkflowOverview.Failure(
                    tenantID: try row.decode(String.self, "tenant_id"), workflow: workflow,
                    subjectID: try row.decode(String.self, "subject_id"), run: try row.decode(Int.self, "run"),
                    step: try row.decode(String?.self, "step"), error: try row.decode(String?.self, "last_error"),
                    ageSeconds: try row.decode(Double?.self, "age") ?? 0)
            }
            return WorkflowOverview(
                queued: try unfinished?.decode(Int.self, "queued") ?? 0,
                running: try unfinished?.decode(Int.self, "running") ?? 0,
                oldestUnfinishedAgeSeconds: try unfinished?.decode(Double?.self, "oldest"),
                failedLastDay: try failed?.decode(Int.self, "failed") ?? 0, recentFailures: recent)
        }
    }

    /// One workflow's status by its subject, whichever tenant it belongs to; nil when it was never
    /// started.
    public static func status(_ pool: PostgresPool, workflow: String, subjectID: String) async throws
        -> TenantWorkflowStatus?
    {
        try await TenantScope.maintenanceTransaction(pool) { connection in
            guard
                let tenant = try connection.query(
                    "SELECT tenant_id FROM workflows WHERE name = $1 AND subject_id = $2 LIMIT 1",
                    [workflow, subjectID]
                ).first?.decode(String.self, "tenant_id"),
                let status = try PostgresWorkflowJournal.status(connection, workflow: workflow, subjectID: subjectID)
            else { return nil }
            return TenantWorkflowStatus(tenantID: tenant, status: status)
        }
    }
}
