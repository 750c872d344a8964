import Foundation
import OttoPostgres
import OttoTasks
import Testing

@testable import OttoCalls

/// Every rule of `WorkflowJournal`'s contract, on the PostgreSQL journal.
@Suite("PostgreSQL workflow journal")
struct PostgresWorkflowJournalTests {
    static let steps = ["fetch", "transcribe", "analyse"]
    static let workflow = "call_analysis"

    /// A journal, a tenant and a subject of its own.
    struct Fixture {
        var journal: PostgresWorkflowJournal
        var tenant: String
        var subject = UUID().uuidString.lowercased()

        func begin(from step: String = "fetch", input: String? = #"{"recording_id":"r-1"}"#) async throws -> Int {
            try await journal.begin(
                workflow: PostgresWorkflowJournalTests.workflow, subjectID: subject, tenantID: tenant,
                steps: PostgresWorkflowJournalTests.steps, fromStep: step, inputJSON: input)
        }

        func ref(_ step: String, run: Int) -> WorkflowStepRef {
            WorkflowStepRef(
                workflow: PostgresWorkflowJournalTests.workflow, subjectID: subject, run: run, step: step,
                tenantID: tenant)
        }

        func status() async throws -> WorkflowStatus {
            try #require(
                try await journal.status(
                    workflow: PostgresWorkflowJournalTests.workflow, subjectID: subject, tenantID: tenant))
        }

        func output(_ step: String) async throws -> String? {
            try await journal.output(
                workflow: PostgresWorkflowJournalTests.workflow, subjectID: subject, tenantID: tenant, step: step)
        }

        /// Runs `step` of `run` to success with `output`.
        func succeed(_ step: String, run: Int, output: String) async throws {
            #expect(try await journal.stepStarted(ref(step, run: run), attempt: 1))
            try await journal.stepSucceeded(
                ref(step, run: run), attempt: 1, outputJSON: output,
                isLast: step == PostgresWorkflowJournalTests.steps.last)
        }
    }

    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            try await body(Fixture(journal: PostgresWorkflowJournal(pool: pool), tenant: tenant))
        }
    }

    @Test("a new workflow starts at run 1, queued, every step pending with no attempts, its input stored")
    func beginNew() async throws {
        try await Self.withFixture { fixture in
            let before = Date().timeIntervalSince1970
            #expect(try await fixture.begin() == 1)
            let status = try await fixture.status()
            #expect(status.run == 1)
            #expect(status.state == .queued)
            #expect(status.workflow == Self.workflow)
            #expect(status.subjectID == fixture.subject)
            #expect(status.steps.map(\.name) == Self.steps)
            #expect(status.steps.allSatisfy { $0.state == .pending && $0.attempts == 0 && $0.startedAt == nil })
            #expect(abs(status.createdAt - before) < 60)
            #expect(status.updatedAt >= status.createdAt)
            let input = try await fixture.journal.input(
                workflow: Self.workflow, subjectID: fixture.subject, tenantID: fixture.tenant)
            #expect(
                input.map { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } == [
                    "recording_id": "r-1"
                ])
        }
    }

    @Test("a run goes step by step: running, attempts counted, outputs stored, succeeded after its last step")
    func happyPath() async throws {
        try await Self.withFixture { fixture in
            let run = try await fixture.begin()
            #expect(try await fixture.journal.stepStarted(fixture.ref("fetch", run: run), attempt: 1))
            var status = try await fixture.status()
            #expect(status.state == .running)
            #expect(status.steps[0].state == .running)
            #expect(status.steps[0].attempts == 1)
            #expect(status.steps[0].startedAt != nil)
            try await fixture.journal.stepSucceeded(
                fixture.ref("fetch", run: run), attempt: 1, outputJSON: #"{"bytes":10}"#, isLast: false)
            #expect(try await fixture.output("fetch") == #"{"bytes": 10}"#)
            status = try await fixture.status()
            #expect(status.state == .running)
            #expect(status.steps[0].state == .succeeded)
            #expect(status.steps[0].finishedAt != nil)
            try await fixture.succeed("transcribe", run: run, output: #"{"t":1}"#)
            try await fixture.succeed("analyse", run: run, output: #"{"a":1}"#)
            status = try await fixture.status()
            #expect(status.state == .succeeded)
            #expect(status.steps.map(\.state) == [.succeeded, .succeeded, .succeeded])
            // A succeeded step does not start again in its run.
            #expect(try await fixture.journal.stepStarted(fixture.ref("analyse", run: run), attempt: 2) == false)
        }
    }

    @Test("repeated events change nothing: the same start, success, failure or deferral twice")
    func idempotentRepeats() async throws {
        try await Self.withFixture { fixture in
            let run = try await fixture.begin()
            let fetch = fixture.ref("fetch", run: run)
            #expect(try await fixture.journal.stepStarted(fetch, attempt: 1))
            #expect(try await fixture.journal.stepStarted(fetch, attempt: 1))
            #expect(try await fixture.status().steps[0].attempts == 1)
            try await fixture.journal.stepFailed(fetch, attempt: 1, reason: "timeout", final: false)
            try await fixture.journal.stepFailed(fetch, attempt: 1, reason: "timeout", final: false)
            var step = try await fixture.status().steps[0]
            #expect(step.state == .pending)
            #expect(step.attempts == 1)
            #expect(step.error == "timeout")
            try await fixture.journal.stepDeferred(fetch, reason: "429", until: 4_000_000_000)
            try await fixture.journal.stepDeferred(fetch, reason: "429", until: 4_000_000_000)
            step = try await fixture.status().steps[0]
            #expect(step.state == .pending)
            #expect(step.attempts == 1)  // a deferral is not an attempt
            #expect(step.deferredUntil == 4_000_000_000)
            #expect(try await fixture.journal.stepStarted(fetch, attempt: 2))
            #expect(try await fixture.status().steps[0].attempts == 2)
            try await fixture.journal.stepSucceeded(fetch, attempt: 2, outputJSON: #"{"n":1}"#, isLast: false)
            try await fixture.journal.stepSucceeded(fetch, attempt: 2, outputJSON: #"{"n":2}"#, isLast: false)
            step = try await fixture.status().steps[0]
            #expect(step.state == .succeeded)
            #expect(step.attempts == 2)
            #expect(step.deferredUntil == nil)
            #expect(try await fixture.output("fetch") == #"{"n": 1}"#)
            // A failure heard after the success (a duplicate's) does not undo it.
            try await fixture.journal.stepFailed(fetch, attempt: 2, reason: "late", final: true)
            #expect(try await fixture.status().steps[0].state == .succeeded)
            #expect(try await fixture.status().state == .running)
        }
    }

    @Test("a final failure fails the step and the workflow; nothing of that run starts again")
    func finalFailure() async throws {
        try await Self.withFixture { fixture in
            let run = try await fixture.begin()
            try await fixture.succeed("fetch", run: run, output: "{}")
            let transcribe = fixture.ref("transcribe", run: run)
            #expect(try await fixture.journal.stepStarted(transcribe, attempt: 3))
            try await fixture.journal.stepFailed(transcribe, attempt: 3, reason: "deepgram 400", final: true)
            let status = try await fixture.status()
            #expect(status.state == .failed)
            #expect(status.steps[1].state == .failed)
            #expect(status.steps[1].error == "deepgram 400")
            #expect(status.steps[1].attempts == 3)
            #expect(status.steps[1].finishedAt != nil)
            #expect(status.steps[2].state == .pending)
            #expect(try await fixture.journal.stepStarted(transcribe, attempt: 4) == false)
            #expect(try await fixture.journal.stepStarted(fixture.ref("analyse", run: run), attempt: 1) == false)
            // A reprocess from the failed step starts run 2 from there.
            #expect(try await fixture.begin(from: "transcribe") == 2)
            #expect(try await fixture.status().state == .queued)
            #expect(try await fixture.journal.stepStarted(fixture.ref("transcribe", run: 2), attempt: 1))
        }
    }

    @Test("a new run makes the old run's events stale: they start nothing and change nothing")
    func staleRuns() async throws {
        try await Self.withFixture { fixture in
            let first = try await fixture.begin()
            let old = fixture.ref("fetch", run: first)
            #expect(try await fixture.journal.stepStarted(old, attempt: 1))
            // MUT: a reprocess starts run 2 while run 1's fetch is still running
            let second = try await fixture.begin(input: #"{"recording_id":"r-2"}"#)
            #expect(second == 2)
            // validate
            #expect(try await fixture.journal.stepStarted(old, attempt: 2) == false)
            try await fixture.journal.stepSucceeded(old, attempt: 1, outputJSON: #"{"stale":true}"#, isLast: false)
            try await fixture.journal.stepFailed(old, attempt: 1, reason: "stale", final: true)
            try await fixture.journal.stepDeferred(old, reason: "stale", until: 4_000_000_000)
            let status = try await fixture.status()
            #expect(status.run == 2)
            #expect(status.state == .queued)
            #expect(status.steps.allSatisfy { $0.state == .pending && $0.attempts == 0 && $0.error == nil })
            #expect(try await fixture.output("fetch") == nil)
            let input = try await fixture.journal.input(
                workflow: Self.workflow, subjectID: fixture.subject, tenantID: fixture.tenant)
            #expect(input == #"{"recording_id": "r-2"}"#)
            #expect(try await fixture.journal.stepStarted(fixture.ref("fetch", run: second), attempt: 1))
        }
    }

    @Test("a run from a later step keeps the earlier steps' state and output, and the workflow's input")
    func fromStep() async throws {
        try await Self.withFixture { fixture in
            let first = try await fixture.begin()
            try await fixture.succeed("fetch", run: first, output: #"{"media":"m"}"#)
            try await fixture.succeed("transcribe", run: first, output: #"{"transcript":"t"}"#)
            try await fixture.succeed("analyse", run: first, output: #"{"analysis":"a"}"#)
            // MUT: reprocess from transcribe, with an input that must not replace the stored one
            let second = try await fixture.begin(from: "transcribe", input: #"{"recording_id":"other"}"#)
            // validate
            #expect(second == 2)
            let status = try await fixture.status()
            #expect(status.state == .queued)
            #expect(status.steps.map(\.state) == [.succeeded, .pending, .pending])
            #expect(status.steps.map(\.attempts) == [1, 0, 0])
            #expect(try await fixture.output("fetch") == #"{"media": "m"}"#)
            #expect(try await fixture.output("transcribe") == nil)
            #expect(try await fixture.output("analyse") == nil)
            let input = try await fixture.journal.input(
                workflow: Self.workflow, subjectID: fixture.subject, tenantID: fixture.tenant)
            #expect(input == #"{"recording_id": "r-1"}"#)
            // fetch is done; transcribe of run 2 starts
            #expect(try await fixture.journal.stepStarted(fixture.ref("fetch", run: second), attempt: 1) == false)
            #expect(try await fixture.journal.stepStarted(fixture.ref("transcribe", run: second), attempt: 1))
        }
    }

    @Test("a run cannot start from an unknown step, nor from a step whose predecessor has no output")
    func refusedStarts() async throws {
        try await Self.withFixture { fixture in
            await #expect(throws: WorkflowError(.unknownStep, detail: "summarise is not a step of call_analysis")) {
                _ = try await fixture.begin(from: "summarise")
            }
            // A workflow never started has no fetch output.
            let never = await #expect(throws: WorkflowError.self) { _ = try await fixture.begin(from: "transcribe") }
            #expect(never?.code == .missingInput)
            #expect(
                try await fixture.journal.status(
                    workflow: Self.workflow, subjectID: fixture.subject, tenantID: fixture.tenant)
                    == nil)
            // Started, but fetch has not succeeded yet: still no input for transcribe.
            let run = try await fixture.begin()
            let early = await #expect(throws: WorkflowError.self) { _ = try await fixture.begin(from: "transcribe") }
            #expect(early?.code == .missingInput)
            #expect(try await fixture.status().run == run)
        }
    }

    @Test("the journal refuses a workflow without a tenant, and a tenant sees no other tenant's workflow")
    func tenancy() async throws {
        try await CallsTestDatabase.withPool { pool in
            let journal = PostgresWorkflowJournal(pool: pool)
            let tenantA = try await CallsTestDatabase.tenant(pool)
            let tenantB = try await CallsTestDatabase.tenant(pool)
            let subject = UUID().uuidString.lowercased()
            let missing = await #expect(throws: WorkflowJournalError.self) {
                _ = try await journal.begin(
                    workflow: Self.workflow, subjectID: subject, tenantID: nil, steps: Self.steps, fromStep: "fetch",
                    inputJSON: nil)
            }
            #expect(missing?.code == .missingTenant)
            await #expect(throws: WorkflowJournalError.self) {
                _ = try await journal.stepStarted(
                    WorkflowStepRef(workflow: Self.workflow, subjectID: subject, run: 1, step: "fetch", tenantID: nil),
                    attempt: 1)
            }
            _ = try await journal.begin(
                workflow: Self.workflow, subjectID: subject, tenantID: tenantA, steps: Self.steps, fromStep: "fetch",
                inputJSON: nil)
            // B: no status, and B's events for A's subject do nothing to A's workflow.
            #expect(try await journal.status(workflow: Self.workflow, subjectID: subject, tenantID: tenantB) == nil)
            let refB = WorkflowStepRef(
                workflow: Self.workflow, subjectID: subject, run: 1, step: "fetch", tenantID: tenantB)
            #expect(try await journal.stepStarted(refB, attempt: 1) == false)
            try await journal.stepFailed(refB, attempt: 1, reason: "b", final: true)
            let statusA = try #require(
                try await journal.status(workflow: Self.workflow, subjectID: subject, tenantID: tenantA))
            #expect(statusA.state == .queued)
            #expect(statusA.steps.allSatisfy { $0.state == .pending })
            // B's own workflow of the same subject is B's, run 1.
            #expect(
                try await journal.begin(
                    workflow: Self.workflow, subjectID: subject, tenantID: tenantB, steps: Self.steps,
                    fromStep: "fetch", inputJSON: nil) == 1)
        }
    }
}
