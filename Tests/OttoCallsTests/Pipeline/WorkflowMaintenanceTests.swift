import Foundation
import OttoPostgres
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoCalls

@Suite("Workflow maintenance")
struct WorkflowMaintenanceTests {
    @Test("overdue lists every tenant's stalled queued and running workflows, oldest first, up to the limit")
    func overdueAcrossTenants() async throws {
        // A database of its own: the query reads every tenant's workflows.
        try await FreshDatabase.with { pool in
            let journal = PostgresWorkflowJournal(pool: pool)
            let records = TenantRecords(pool: pool)
            let tenantA = try await records.create(clerkOrgID: "org_a_\(UUID().uuidString)", name: "A").id
            let tenantB = try await records.create(clerkOrgID: "org_b_\(UUID().uuidString)", name: "B").id
            func begin(_ tenant: String, _ subject: String) async throws {
                _ = try await journal.begin(
                    workflow: "call_analysis", subjectID: subject, tenantID: tenant,
                    steps: CallPipelineWorkflow.steps, fromStep: "fetch", inputJSON: nil)
            }
            // setup: A's queued workflow stalled 2 h, B's running one stalled 1 h, A's fresh one,
            // and B's finished one stalled 3 h (finished: never overdue)
            try await begin(tenantA, "a-queued")
            try await begin(tenantB, "b-running")
            #expect(
                try await journal.stepStarted(
                    WorkflowStepRef(
                        workflow: "call_analysis", subjectID: "b-running", run: 1, step: "fetch", tenantID: tenantB),
                    attempt: 1))
            try await begin(tenantA, "a-fresh")
            try await begin(tenantB, "b-done")
            for (tenant, subject, age) in [
                (tenantA, "a-queued", "2 hours"), (tenantB, "b-running", "1 hour"), (tenantB, "b-done", "3 hours"),
            ] {
                _ = try await TenantScope.transaction(pool, tenantID: tenant) { connection in
                    try connection.query(
                        "UPDATE workflows SET updated_at = now() - $2::interval, state = CASE WHEN subject_id = 'b-done' THEN 'succeeded' ELSE state END WHERE subject_id = $1",
                        [subject, age])
                }
            }
            // MUT
            let overdue = try await WorkflowMaintenance.overdue(pool, olderThan: .seconds(30 * 60), limit: 10)
            // validate
            #expect(overdue.map(\.subjectID) == ["a-queued", "b-running"])
            #expect(overdue.map(\.tenantID) == [tenantA, tenantB])
            #expect(overdue.map(\.state) == [.queued, .running])
            #expect(overdue.map(\.run) == [1, 1])
            #expect(overdue.allSatisfy { $0.workflow == "call_analysis" })
            let now = Date().timeIntervalSince1970
            #expect(abs(now - overdue[0].updatedAt - 7200) < 120)
            #expect(
                try await WorkflowMaintenance.overdue(pool, olderThan: .seconds(30 * 60), limit: 1).map(\.subjectID)
                    == ["a-queued"])
            #expect(
                try await WorkflowMaintenance.overdue(pool, olderThan: .seconds(5400), limit: 10).map(\.subjectID) == [
                    "a-queued"
                ])
            // Without the maintenance setting nothing is visible across tenants.
            #expect(try await pool.query("SELECT count(*) AS n FROM workflows").first?["n"] == "0")
        }
    }
}
