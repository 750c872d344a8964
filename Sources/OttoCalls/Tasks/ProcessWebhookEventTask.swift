import Logging
import OttoPostgres
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `process_webhook_event`: turns one stored webhook event into its call (upsert, in the
/// event's tenant scope) and marks the event processed. Safe to run twice: the upsert is
/// order-independent and idempotent, and a copy that finds its event already processed (the
/// sweep ran it again while the first copy was still waiting in a queue) does nothing, unless a
/// tenant asked for the re-run (`reason`, from `POST /v1/calls/{id}/reprocess`).
///
/// An event that brings a completed recording (Twilio's recording status callback, a CallRail
/// post-call webhook with a recording) also attaches the recording and begins the call's
/// `call_analysis` workflow, in the same transaction as the call upsert, but only when the
/// recording became completed with this event: a repeated delivery or a re-run of the event
/// attaches the same row and starts no second run. After the commit the injected
/// ``CallPipelineDispatch`` starts the run's first step; without one (or when it fails) the run
/// stays queued in PostgreSQL for the workflow sweep. A recording that is not completed
/// (`failed`, `absent`) is stored with its status and starts nothing.
///
/// Its work is PostgreSQL's, so it retries through an outage (``RetryPolicy/databaseBound``).
public struct ProcessWebhookEventTask: OttoTask {
    public struct Arguments: Codable, Sendable {
        public var eventID: String
        public var tenantID: String
        /// Why an operator or tenant asked for it again (`POST /v1/calls/{id}/reprocess`).
        public var reason: String?
        /// The step of the call's analysis workflow a reprocess re-runs from (`fetch`,
        /// `transcribe` or `analyse`; the API accepts no other); nil for the whole workflow.
        public var fromStep: String?

        public init(eventID: String, tenantID: String, reason: String? = nil, fromStep: String? = nil) {
            self.eventID = eventID
            self.tenantID = tenantID
            self.reason = reason
            self.fromStep = fromStep
        }

        enum CodingKeys: String, CodingKey {
            case eventID = "event_id"
            case tenantID = "tenant_id"
            case reason
            case fromStep = "from_step"
        }
    }

    public struct Output: Codable, Sendable {
        public var callID: String?
        public var status: String?
        /// The recording the event attached, when it carried one.
        public var recordingID: String?
        /// The `call_analysis` run the event began, when its recording became completed.
        public var workflowRun: Int?

        enum CodingKeys: String, CodingKey {
            case callID = "call_id"
            case status
            case recordingID = "recording_id"
            case workflowRun = "workflow_run"
        }
    }

    public static let name = "process_webhook_event"
    public static var retryPolicy: RetryPolicy { .databaseBound }

    let pool: PostgresPool
    /// Starts a begun pipeline run; nil leaves it queued for the workflow sweep.
    let pipeline: (any CallPipelineDispatch)?

    public init(postgres: PostgresPool, pipeline: (any CallPipelineDispatch)? = nil) {
        self.pool = postgres
        self.pipeline = pipeline
    }

    /// What the event's transaction did.
    struct Processed: Sendable {
        var done = false
        var callID: String?
        var status: String?
        var from: String?
        var recordingID: String?
        /// The run begun, the step it starts at and that step's input: when the recording became
        /// completed, or when a tenant asked for the call to be processed again.
        var run: (number: Int, step: String, inputJSON: String)?
    }

    public func run(_ arguments: Arguments, context: TaskContext) async throws -> Output {
        guard UUIDText.isValid(arguments.eventID), UUIDText.isValid(arguments.tenantID) else {
            throw TaskError(.invalidArguments, detail: "event_id and tenant_id must be UUIDs")
        }
        let eventID = arguments.eventID
        let rerunRequested = arguments.reason != nil
        let result = try await TenantScope.transaction(pool, tenantID: arguments.tenantID) {
            connection -> Processed in
            guard let event = try WebhookEventStore.load(connection, eventID: eventID) else {
                return Processed()
            }
            if event.processed && !rerunRequested { return Processed(done: true) }
            let payload = JSONValue.parse(event.payload)
            var processed = Processed()
            var update: CallUpdate?
            if let payload {
                update = CallUpdate.from(provider: event.provider, eventKind: event.eventKind, payload: payload)
            }
            if let update {
                let callID = try CallStore.upsert(connection, tenantID: event.tenantID, update)
                processed.callID = callID
                if let payload,
                    let recording = RecordingUpdate.from(
                        provider: event.provider, eventKind: event.eventKind, payload: payload)
                {
                    let attached = try RecordingStore.upsert(
                        connection, tenantID: event.tenantID, callID: callID, provider: recording.provider,
                        providerRecordingID: recording.providerRecordingID, mediaURL: recording.mediaURL,
                        status: recording.status, channels: recording.channels,
                        durationSeconds: recording.durationSeconds)
                    processed.recordingID = attached.id
                    if attached.completedNow {
                        let input = CallPipelineWorkflow.inputJSON(recordingID: attached.id)
                        let run = try PostgresWorkflowJournal.begin(
                            connection, workflow: CallPipelineWorkflow.name, subjectID: callID,
                            tenantID: event.tenantID, steps: CallPipelineWorkflow.steps,
                            fromStep: CallPipelineWorkflow.steps[0], inputJSON: input)
                        processed.run = (run, CallPipelineWorkflow.steps[0], input)
                    }
                }
                if rerunRequested, processed.run == nil {
                    processed.run = try Self.restart(
                        connection, tenantID: event.tenantID, callID: callID, fromStep: arguments.fromStep)
                }
            }
            processed.status = update?.status
            processed.from = update?.fromNumber
            _ = try connection.query("UPDATE webhook_events SET processed_at = now() WHERE id = $1::uuid", [eventID])
            return processed
        }
        if result.done {
            context.logger.debug("webhook event already processed; nothing to do", metadata: ["event_id": "\(eventID)"])
            return Output(callID: nil, status: nil)
        }
        let (callID, status, from) = (result.callID, result.status, result.from)
        context.logger.info(
            "webhook event processed",
            metadata: [
                "event_id": "\(eventID)", "tenant_id": "\(arguments.tenantID)", "call_id": "\(callID ?? "")",
                "status": "\(status ?? "")", "from": "\(PhoneNumber.masked(from))",
                "recording_id": "\(result.recordingID ?? "")",
                "workflow_run": "\(result.run.map { String($0.number) } ?? "")",
            ])
        if let run = result.run, let callID, let pipeline {
            do {
                try await pipeline.dispatch(
                    tenantID: arguments.tenantID, callID: callID, run: run.number, step: run.step,
                    inputJSON: run.inputJSON)
            } catch {
                // The run is committed as queued: the workflow sweep starts it. Retrying this task
                // would not help (the event is processed; a re-run begins nothing).
                context.logger.warning(
                    "call pipeline not dispatched; the workflow sweep will start it",
                    metadata: [
                        "event_id": "\(eventID)", "call_id": "\(callID)",
                        "error": "\(String(reflecting: type(of: error)))",
                    ])
            }
        }
        return Output(callID: callID, status: status, recordingID: result.recordingID, workflowRun: result.run?.number)
    }

    /// A tenant's reprocess of a call whose pipeline ran before: begins the next run from
    /// `fromStep` (the first step when nil) with the input that step needs (the workflow's own
    /// input, or the stored output of the step before). Nil when the call has no workflow yet, or
    /// the step before `fromStep` never produced an output (there is nothing to start from).
    static func restart(_ connection: PostgresConnection, tenantID: String, callID: String, fromStep: String?) throws
        -> (number: Int, step: String, inputJSON: String)?
    {
        let steps = CallPipelineWorkflow.steps
        let step = fromStep ?? steps[0]
        guard let index = steps.firstIndex(of: step) else { return nil }
        let previous = index > 0 ? steps[index - 1] : ""
        guard
            let row = try connection.query(
                """
                SELECT w.input::text AS input, s.output::text AS output
                FROM workflows w LEFT JOIN workflow_steps s ON s.workflow_id = w.id AND s.step = $3
                WHERE w.name = $1 AND w.subject_id = $2
                """, [CallPipelineWorkflow.name, callID, previous]
            ).first,
            let input = try index == 0 ? row.decode(String?.self, "input") : row.decode(String?.self, "output")
        else { return nil }
        let run = try PostgresWorkflowJournal.begin(
            connection, workflow: CallPipelineWorkflow.name, subjectID: callID, tenantID: tenantID, steps: steps,
            fromStep: step, inputJSON: index == 0 ? input : nil)
        return (run, step, input)
    }
}
