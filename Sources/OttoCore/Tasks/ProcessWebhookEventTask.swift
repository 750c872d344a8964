#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `process_webhook_event`: turns one stored webhook event into its call (upsert, in the
/// event's tenant scope) and marks the event processed. Safe to run twice: the upsert is
/// order-independent and idempotent.
public struct ProcessWebhookEventTask: OttoTask {
    public struct Arguments: Codable, Sendable {
        public var eventID: String
        public var tenantID: String
        /// Why an operator or tenant asked for it again (`POST /v1/calls/{id}/reprocess`).
        public var reason: String?

        public init(eventID: String, tenantID: String, reason: String? = nil) {
            self.eventID = eventID
            self.tenantID = tenantID
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case eventID = "event_id"
            case tenantID = "tenant_id"
            case reason
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

    public init() {}

    public func run(_ arguments: Arguments, context: TaskContext) async throws -> Output {
        guard let pool = context.postgres else {
            throw TaskError(.missingDependency, detail: "process_webhook_event needs DATABASE_URL")
        }
        guard UUIDText.isValid(arguments.eventID), UUIDText.isValid(arguments.tenantID) else {
            throw TaskError(.invalidArguments, detail: "event_id and tenant_id must be UUIDs")
        }
        let eventID = arguments.eventID
        let result = try await TenantScope.transaction(pool, tenantID: arguments.tenantID) {
            connection -> (String?, String?, String?) in
            guard let event = try WebhookEventStore.load(connection, eventID: eventID) else { return (nil, nil, nil) }
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
            return (callID, update?.status, update?.fromNumber)
        }
        let (callID, status, from) = result
        context.logger.info(
            "webhook event processed",
            metadata: [
                "event_id": "\(eventID)", "tenant_id": "\(arguments.tenantID)", "call_id": "\(callID ?? "")",
                "status": "\(status ?? "")", "from": "\(PhoneNumber.masked(from))",
            ])
        return Output(callID: callID, status: status)
    }
}
