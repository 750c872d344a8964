import Foundation
import NIOConcurrencyHelpers
import OttoPostgres
import OttoTasks
import Testing

@testable import OttoCalls

/// What `process_webhook_event` does with recording events: attach, begin the pipeline once,
/// dispatch after the commit.
@Suite("Recording event processing")
struct RecordingEventProcessingTests {
    /// Records what it was asked to dispatch; fails when `failing`.
    final class Dispatches: CallPipelineDispatch {
        struct Call: Sendable, Equatable {
            var tenantID: String
            var callID: String
            var run: Int
            var step: String = "fetch"
            var inputJSON: String
            /// Whether the run was committed when the dispatch came (seen from another connection).
            var committed: Bool
        }

        let pool: PostgresPool
        let failing: Bool
        let calls = NIOLockedValueBox<[Call]>([])

        init(pool: PostgresPool, failing: Bool = false) {
            self.pool = pool
            self.failing = failing
        }

        func dispatch(tenantID: String, callID: String, run: Int, step: String, inputJSON: String) async throws {
            let committed = try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
                try connection.query(
                    "SELECT count(*) AS n FROM workflows WHERE subject_id = $1 AND run = $2::integer", [callID, run]
                ).first!.decode(Int.self, "n") == 1
            }
            calls.withLockedValue {
                $0.append(
                    Call(
                        tenantID: tenantID, callID: callID, run: run, step: step, inputJSON: inputJSON,
                        committed: committed))
            }
            if failing { throw TaskError(.invalidArguments, detail: "dispatch refused (test)") }
        }
    }

    static func twilioRecording(
        _ pool: PostgresPool, tenant: String, callSID: String = "CA-rec", recordingSID: String = "RE-rec",
        status: String = "completed", digest: String = UUID().uuidString
    ) async throws -> String {
        let fields = [
            "AccountSid": "AC00000000000000000000000000000000", "CallSid": callSID, "RecordingSid": recordingSID,
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/\(recordingSID)",
            "RecordingStatus": status, "RecordingDuration": "61", "RecordingChannels": "2",
        ]
        let payload = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
        return try await WebhookEventStore(pool: pool).insert(
            tenantID: tenant, provider: .twilio, providerCallID: callSID, eventKind: "recording",
            bodySHA256: digest, payloadJSON: payload
        ).id
    }

    static func process(
        _ pool: PostgresPool, tenant: String, event: String, pipeline: (any CallPipelineDispatch)?,
        reason: String? = nil, fromStep: String? = nil
    ) async throws -> ProcessWebhookEventTask.Output {
        try await ProcessWebhookEventTask(postgres: pool, pipeline: pipeline).run(
            .init(eventID: event, tenantID: tenant, reason: reason, fromStep: fromStep),
            context: PipelineTestSupport.context())
    }

    @Test(
        "a completed Twilio recording attaches once, begins run 1 with three pending steps, and is dispatched after the commit"
    )
    func twilioCompleted() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let dispatches = Dispatches(pool: pool)
            let event = try await Self.twilioRecording(pool, tenant: tenant)
            // MUT
            let output = try await Self.process(pool, tenant: tenant, event: event, pipeline: dispatches)
            // validate
            let callID = try #require(output.callID)
            let recordingID = try #require(output.recordingID)
            #expect(output.workflowRun == 1)
            let recording = try #require(
                try await RecordingStore(pool: pool).load(tenantID: tenant, recordingID: recordingID))
            #expect(recording.callID == callID)
            #expect(recording.providerRecordingID == "RE-rec")
            #expect(recording.status == "completed")
            #expect(recording.channels == 2)
            #expect(recording.durationSeconds == 61)
            #expect(recording.mediaURL == "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE-rec")
            let status = try #require(
                try await PostgresWorkflowJournal(pool: pool).status(
                    workflow: "call_analysis", subjectID: callID, tenantID: tenant))
            #expect(status.run == 1)
            #expect(status.state == .queued)
            #expect(status.steps.map(\.name) == ["fetch", "transcribe", "analyse"])
            #expect(status.steps.allSatisfy { $0.state == .pending && $0.attempts == 0 })
            let input = try await PostgresWorkflowJournal(pool: pool).input(
                workflow: "call_analysis", subjectID: callID, tenantID: tenant)
            #expect(input == "{\"recording_id\": \"\(recordingID)\"}")
            #expect(
                dispatches.calls.withLockedValue { $0 } == [
                    .init(
                        tenantID: tenant, callID: callID, run: 1, inputJSON: "{\"recording_id\":\"\(recordingID)\"}",
                        committed: true)
                ])
        }
    }

    @Test(
        "a repeated delivery and the sweep's second copy of the event attach the same recording and start no second run"
    )
    func repeatsStartNothing() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let dispatches = Dispatches(pool: pool)
            let first = try await Self.twilioRecording(pool, tenant: tenant)
            let output = try await Self.process(pool, tenant: tenant, event: first, pipeline: dispatches)
            // MUT: the same event processed again (the sweep's copy), and a second delivery of the
            // callback stored as another event (its body differed in something that does not matter)
            let again = try await Self.process(pool, tenant: tenant, event: first, pipeline: dispatches)
            let second = try await Self.twilioRecording(pool, tenant: tenant)
            let redelivered = try await Self.process(pool, tenant: tenant, event: second, pipeline: dispatches)
            // validate
            #expect(again.workflowRun == nil)
            #expect(redelivered.workflowRun == nil)
            #expect(redelivered.recordingID == output.recordingID)
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenant, "SELECT count(*) AS n FROM recordings") == 1)
            let row = try #require(
                try await PipelineTestSupport.row(
                    pool, tenant: tenant, "SELECT count(*) AS n, max(run) AS run FROM workflows"))
            #expect(row["n"] == "1")
            #expect(row["run"] == "1")
            #expect(dispatches.calls.withLockedValue { $0.count } == 1)
        }
    }

    @Test(
        "a tenant's reprocess begins the next run: from the first step with the workflow's input, or from a named step once the step before it has an output"
    )
    func reprocessBeginsTheNextRun() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let dispatches = Dispatches(pool: pool)
            let event = try await Self.twilioRecording(pool, tenant: tenant)
            let output = try await Self.process(pool, tenant: tenant, event: event, pipeline: dispatches)
            let input = "{\"recording_id\": \"\(output.recordingID ?? "")\"}"

            // The whole workflow again: run 2 from fetch, with the stored input.
            let rerun = try await Self.process(
                pool, tenant: tenant, event: event, pipeline: dispatches, reason: "tenant asked")
            #expect(rerun.workflowRun == 2)
            #expect(rerun.recordingID == output.recordingID)
            // From "analyse" while "transcribe" never produced an output: nothing to start from.
            let early = try await Self.process(
                pool, tenant: tenant, event: event, pipeline: dispatches, reason: "tenant asked", fromStep: "analyse")
            #expect(early.workflowRun == nil)
            // Once "transcribe" has stored its output, "analyse" starts from it in run 3.
            let journal = PostgresWorkflowJournal(pool: pool)
            let callID = try #require(output.callID)
            for step in ["fetch", "transcribe"] {
                let ref = WorkflowStepRef(
                    workflow: "call_analysis", subjectID: callID, run: 2, step: step, tenantID: tenant)
                #expect(try await journal.stepStarted(ref, attempt: 1))
                try await journal.stepSucceeded(ref, attempt: 1, outputJSON: #"{"step": "\#(step)"}"#, isLast: false)
            }
            let fromAnalyse = try await Self.process(
                pool, tenant: tenant, event: event, pipeline: dispatches, reason: "tenant asked", fromStep: "analyse")
            #expect(fromAnalyse.workflowRun == 3)
            let steps = dispatches.calls.withLockedValue { $0.map { "\($0.run):\($0.step)" } }
            #expect(steps == ["1:fetch", "2:fetch", "3:analyse"])
            let inputs = dispatches.calls.withLockedValue { $0.map(\.inputJSON) }
            #expect(inputs.count == 3 && inputs[1] == input && inputs[2] == #"{"step": "transcribe"}"#, "\(inputs)")
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenant, "SELECT count(*) AS n FROM workflows") == 1)
        }
    }

    @Test("a failed or absent recording is stored with its status and starts nothing; completing it later starts run 1")
    func notCompleted() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let dispatches = Dispatches(pool: pool)
            let failed = try await Self.twilioRecording(pool, tenant: tenant, recordingSID: "RE-f", status: "failed")
            let absent = try await Self.twilioRecording(pool, tenant: tenant, recordingSID: "RE-a", status: "absent")
            let outputs = [
                try await Self.process(pool, tenant: tenant, event: failed, pipeline: dispatches),
                try await Self.process(pool, tenant: tenant, event: absent, pipeline: dispatches),
            ]
            #expect(outputs.map(\.workflowRun) == [nil, nil])
            #expect(outputs.allSatisfy { $0.recordingID != nil })
            #expect(
                try await PipelineTestSupport.count(
                    pool, tenant: tenant, "SELECT count(*) AS n FROM recordings WHERE status IN ('failed', 'absent')")
                    == 2)
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenant, "SELECT count(*) AS n FROM workflows") == 0)
            #expect(dispatches.calls.withLockedValue { $0.isEmpty })
            // An in-progress recording that later completes starts the pipeline then.
            let progress = try await Self.twilioRecording(
                pool, tenant: tenant, recordingSID: "RE-p", status: "in-progress")
            #expect(
                try await Self.process(pool, tenant: tenant, event: progress, pipeline: dispatches).workflowRun == nil)
            let done = try await Self.twilioRecording(pool, tenant: tenant, recordingSID: "RE-p")
            #expect(try await Self.process(pool, tenant: tenant, event: done, pipeline: dispatches).workflowRun == 1)
        }
    }

    @Test("without a dispatcher, or when it fails, the run stays queued and the event is processed")
    func dispatchOptional() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let none = try await Self.twilioRecording(pool, tenant: tenant, callSID: "CA-none", recordingSID: "RE-none")
            let withoutDispatcher = try await Self.process(pool, tenant: tenant, event: none, pipeline: nil)
            #expect(withoutDispatcher.workflowRun == 1)
            let failing = Dispatches(pool: pool, failing: true)
            let refused = try await Self.twilioRecording(
                pool, tenant: tenant, callSID: "CA-refused", recordingSID: "RE-refused")
            let output = try await Self.process(pool, tenant: tenant, event: refused, pipeline: failing)
            #expect(output.workflowRun == 1)
            #expect(failing.calls.withLockedValue { $0.count } == 1)
            #expect(
                try await PipelineTestSupport.count(
                    pool, tenant: tenant, "SELECT count(*) AS n FROM workflows WHERE state = 'queued'")
                    == 2)
            #expect(
                try await PipelineTestSupport.count(
                    pool, tenant: tenant, "SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NULL") == 0)
        }
    }

    @Test("a CallRail post-call webhook with a recording attaches it under the call id and begins the workflow")
    func callRailRecording() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let dispatches = Dispatches(pool: pool)
            let events = WebhookEventStore(pool: pool)
            let withRecording = """
                {"resource_id":"CAL-rec","answered":true,"duration":"65","direction":"inbound",\
                "recording":"https://api.callrail.com/v3/a/ACC1/calls/CAL-rec/recording.json",\
                "recording_player":"https://app.callrail.com/calls/CAL-rec/recording?access_key=x",\
                "recording_duration":"64"}
                """
            let withoutRecording = #"{"resource_id":"CAL-none","answered":false,"duration":"0","recording":null}"#
            let first = try await events.insert(
                tenantID: tenant, provider: .callrail, providerCallID: "CAL-rec", eventKind: "call-completed",
                bodySHA256: UUID().uuidString, payloadJSON: withRecording
            ).id
            let none = try await events.insert(
                tenantID: tenant, provider: .callrail, providerCallID: "CAL-none", eventKind: "call-completed",
                bodySHA256: UUID().uuidString, payloadJSON: withoutRecording
            ).id
            let modified = try await events.insert(
                tenantID: tenant, provider: .callrail, providerCallID: "CAL-rec", eventKind: "call-modified",
                bodySHA256: UUID().uuidString, payloadJSON: withRecording
            ).id
            // MUT
            let output = try await Self.process(pool, tenant: tenant, event: first, pipeline: dispatches)
            let noRecording = try await Self.process(pool, tenant: tenant, event: none, pipeline: dispatches)
            let later = try await Self.process(pool, tenant: tenant, event: modified, pipeline: dispatches)
            // validate
            #expect(output.workflowRun == 1)
            #expect(noRecording.recordingID == nil)
            #expect(noRecording.workflowRun == nil)
            #expect(later.workflowRun == nil)  // the call-modified event repeats the recording
            #expect(later.recordingID == output.recordingID)
            let recordingID = try #require(output.recordingID)
            let recording = try #require(
                try await RecordingStore(pool: pool).load(tenantID: tenant, recordingID: recordingID))
            #expect(recording.provider == .callrail)
            #expect(recording.providerRecordingID == "CAL-rec")
            #expect(recording.mediaURL == "https://api.callrail.com/v3/a/ACC1/calls/CAL-rec/recording.json")
            #expect(recording.channels == nil)
            #expect(recording.durationSeconds == 64)
            #expect(recording.status == "completed")
            let callID = try #require(output.callID)
            #expect(dispatches.calls.withLockedValue { $0.map(\.callID) } == [callID])
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenant, "SELECT count(*) AS n FROM workflows") == 1)
        }
    }

    @Test("recording fields are read within bounds")
    func parsing() {
        let twilio = RecordingUpdate.twilio([
            "RecordingSid": "RE1", "RecordingStatus": "Completed", "RecordingUrl": "ftp://x", "RecordingDuration": "-3",
            "RecordingChannels": "3",
        ])
        #expect(
            twilio
                == RecordingUpdate(
                    provider: .twilio, providerRecordingID: "RE1", mediaURL: nil, status: "completed", channels: nil,
                    durationSeconds: nil))
        #expect(RecordingUpdate.twilio(["CallSid": "CA1"]) == nil)
        #expect(
            RecordingUpdate.twilio(["RecordingSid": "RE2", "RecordingUrl": "https://r.example/2"])?.status
                == "completed")
        #expect(RecordingUpdate.twilio(["RecordingSid": "RE3"])?.status == "unknown")
        #expect(
            RecordingUpdate.callRail(
                ["resource_id": .string("CAL1"), "recording_player": .string("https://p")], eventKind: "pre-call")
                == nil)
        let player = RecordingUpdate.callRail(
            ["id": .string("CAL2"), "recording_player": .string("https://p"), "recording_duration": .number(12)],
            eventKind: "call-completed")
        #expect(player == RecordingUpdate(provider: .callrail, providerRecordingID: "CAL2", durationSeconds: 12))
    }
}
