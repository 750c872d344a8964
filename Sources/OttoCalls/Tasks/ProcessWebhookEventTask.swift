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

        enum CodingKeys: String, CodingKey {
            case callID = "call_id"
            case status
        }
    }

    public static let name = "process_webhook_event"
    public static var retryPolicy: RetryPolicy { .databaseBound }

    let pool: PostgresPool

    public init(postgres: PostgresPool) {
        self.pool = postgres
    }

    public func run(_ arguments: Arguments, context: TaskContext) async throws -> Output {
        guard UUIDText.isValid(arguments.eventID), UUIDText.isValid(arguments.tenantID) else {
            throw TaskError(.invalidArguments, detail: "event_id and tenant_id must be UUIDs")
        }
        let eventID = arguments.eventID
        let rerunRequested = arguments.reason != nil
        let result = try await TenantScope.transaction(pool, tenantID: arguments.tenantID) {
            connection -> (done: Bool, callID: String?, status: String?, from: String?) in
            guard let event = try WebhookEventStore.load(connection, eventID: eventID) else {
                return (false, nil, nil, nil)
            }
            if event.processed && !rerunRequested { return (true, nil, nil, nil) }
            let payload = try? JSONDecoder().decode(JSONValue.self, from: Data(event.payload.utf8))
            var callID: String?
            var update: CallUpdate?
            if let payload {
                update = CallUpdate.from(provider: event.provider, eventKind: event.eventKind, payload: payload)
            }
            if let update {
                callID = try CallStore.upsert(connection, tenantID: event.tenantID, update)
            }
            _ = try connection.query("UPDATE webhook_events SET processed_at = now() WHERE id = $1::uuid", [eventID])
            return (false, callID, update?.status, update?.fromNumber)
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
            ])
        return Output(callID: callID, status: status)
    }
}
