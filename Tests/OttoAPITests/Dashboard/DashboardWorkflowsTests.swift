import Foundation
import OttoCalls
import OttoPostgres
import OttoTasks
import OttoTestSupport
import Testing

/// The dashboard's pipeline panel reads the workflows from PostgreSQL, the source of truth:
/// queued and running counts, the oldest unfinished one's age, the failures of the last day
/// with their step and reason, in the polled state and in the page's first render.
@Suite("Operator dashboard: the pipeline's workflows")
struct DashboardWorkflowsTests {
    @Test("a queued and a failed workflow show in the state and on the page")
    func workflowsPanel() async throws {
        let database = try await OwnDatabase.create("dashwf")
        let (failedCall, tenant) = try await database.withPool { pool in
            let tenant = try await TenantRecords(pool: pool).create(clerkOrgID: "org_dash_wf", name: "Dash").id
            let journal = PostgresWorkflowJournal(pool: pool)
            let steps = ["fetch", "transcribe", "analyse"]
            func begin() async throws -> String {
                let call = UUID().uuidString.lowercased()
                _ = try await journal.begin(
                    workflow: CallPipelineWorkflow.name, subjectID: call, tenantID: tenant, steps: steps,
                    fromStep: "fetch", inputJSON: "{}")
                return call
            }
            _ = try await begin()
            let failed = try await begin()
            let ref = WorkflowStepRef(
                workflow: CallPipelineWorkflow.name, subjectID: failed, run: 1, step: "fetch", tenantID: tenant)
            #expect(try await journal.stepStarted(ref, attempt: 1))
            try await journal.stepFailed(ref, attempt: 1, reason: "recording <unusable> & gone", final: true)
            return (failed, tenant)
        }
        let read = try await DashboardRead.fetch(
            databaseURL: database.url, prefix: "dashwf", token: "dashboard-workflows-token-0123456789")
        let (state, page) = (read.state, read.page)
        await database.drop()

        #expect(state.status == 200)
        let workflows = try #require(state.json?["workflows"] as? [String: Any], "\(state.text)")
        #expect(workflows["queued"] as? Int == 1)
        #expect(workflows["running"] as? Int == 0)
        #expect(workflows["failed_last_day"] as? Int == 1)
        let failure = try #require((workflows["recent_failures"] as? [[String: Any]])?.first)
        #expect(failure["subject_id"] as? String == failedCall)
        #expect(failure["tenant_id"] as? String == tenant)
        #expect(failure["step"] as? String == "fetch")
        #expect((state.json?["unavailable"] as? [String])?.contains("workflows") == false)

        #expect(page.status == 200)
        #expect(page.text.contains("Pipeline: workflows"))
        #expect(page.text.contains(failedCall), "the failed workflow's call is on the first render")
        #expect(page.text.contains("recording &lt;unusable&gt; &amp; gone"), "the reason is escaped")
    }
}
