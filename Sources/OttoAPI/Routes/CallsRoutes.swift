import HTTPTypes
import Hummingbird
import NIOCore
import OttoCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The tenant API for calls and tasks under `/v1`. Every handler reads the caller's tenant from
/// `tenantOf` and queries inside that tenant's row-level-security scope, so another tenant's
/// call or task is a 404, never a leak.
struct CallsRoutes {
    /// The tenants' calls; nil without a database.
    let calls: CallStore?
    /// Task states for `GET /v1/tasks/{id}`; nil without Redis.
    let taskStates: TaskStateStore?
    let tasks: any TaskEnqueuer
    let tenantOf: TenantResolver

    /// How long a reprocess task's state stays readable at `GET /v1/tasks/{id}`.
    static let resultTTL = 86_400

    /// Registers the routes on `group` (mounted at `/v1`).
    func register(on group: RouterGroup<OttoRequestContext>, prefix: String, table: inout RouteTable) {
        group.get("/calls") { request, context in try await list(request, context: context) }
        table.add(.get, prefix + "/calls")
        group.get("/calls/{id}") { request, context in try await get(request, context: context) }
        table.add(.get, prefix + "/calls/{id}")
        group.post("/calls/{id}/reprocess") { request, context in try await reprocess(request, context: context) }
        table.add(.post, prefix + "/calls/{id}/reprocess")
        group.get("/tasks/{id}") { request, context in try await task(request, context: context) }
        table.add(.get, prefix + "/tasks/{id}")
    }

    func list(_ request: Request, context: OttoRequestContext) async throws -> Response {
        let tenant = try tenantOf.resolve(request, context)
        let parameters = request.uri.queryParameters
        var query = CallListQuery()
        if let text = parameters.get("limit") {
            guard let limit = Int(text), (1...100).contains(limit) else {
                throw Problem(.badRequest, detail: "limit must be an integer from 1 to 100.")
            }
            query.limit = limit
        }
        if let text = parameters.get("cursor") {
            guard let cursor = CallCursor(encoded: text) else {
                throw Problem(.badRequest, detail: "cursor is not one this API issued.")
            }
            query.cursor = cursor
        }
        if let status = parameters.get("status") {
            guard CallStatus.ranks[status] != nil || status == CallStatus.unknown else {
                throw Problem(.badRequest, detail: "status is not a call status.")
            }
            query.status = status
        }
        for name in ["from", "to"] {
            guard let text = parameters.get(name) else { continue }
            guard let time = WebhookTime.iso8601(text) else {
                throw Problem(.badRequest, detail: "\(name) must be an ISO 8601 time (2026-01-31T12:00:00Z).")
            }
            if name == "from" { query.from = time } else { query.to = time }
        }
        let page = try await database { try await $0.list(tenantID: tenant, query) }
        struct Body: Encodable {
            var data: [Call]
            var next_cursor: String?
        }
        return try Self.json(Body(data: page.calls, next_cursor: page.nextCursor), status: .ok)
    }

    func get(_ request: Request, context: OttoRequestContext) async throws -> Response {
        let tenant = try tenantOf.resolve(request, context)
        let id = context.parameters.get("id") ?? ""
        guard let call = try await database({ try await $0.get(tenantID: tenant, id: id) }) else {
            throw Problem(.notFound, detail: "No such call.")
        }
        return try Self.json(call, status: .ok)
    }

    func reprocess(_ request: Request, context: OttoRequestContext) async throws -> Response {
        let tenant = try tenantOf.resolve(request, context)
        let id = context.parameters.get("id") ?? ""
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 16_384)
        } catch {
            throw Problem(.contentTooLarge, detail: "The body is larger than 16384 bytes.")
        }
        let reason = try Self.reprocessReason(body)
        guard UUIDText.isValid(id) else { throw Problem(.notFound, detail: "No such call.") }
        let eventID = try await database { try await $0.latestEventID(tenantID: tenant, callID: id) }
        guard let eventID else { throw Problem(.notFound, detail: "No such call.") }
        let result: EnqueueResult
        do {
            result = try await tasks.enqueue(
                ProcessWebhookEventTask.self, .init(eventID: eventID, tenantID: tenant, reason: reason),
                options: context.enqueueOptions(EnqueueOptions(resultTTL: Self.resultTTL, tenantID: tenant)))
        } catch {
            throw Problem(.serviceUnavailable, detail: "The task queue is unavailable; retry later.")
        }
        return try Self.json(["task_id": result.id], status: .accepted)
    }

    func task(_ request: Request, context: OttoRequestContext) async throws -> Response {
        let tenant = try tenantOf.resolve(request, context)
        let id = context.parameters.get("id") ?? ""
        guard let taskStates, UUIDText.isValid(id) else { throw Problem(.notFound, detail: "No such task.") }
        let record: TaskStateStore.Record?
        do {
            record = try await taskStates.record(id: id)
        } catch {
            throw Problem(.serviceUnavailable, detail: "Task state is unavailable; retry later.")
        }
        guard let record, record.tenantID == tenant else { throw Problem(.notFound, detail: "No such task.") }
        struct Body: Encodable {
            var id: String
            var name: String
            var state: String
            var attempt: Int
            var result: JSONValue?
            var error: String?
            var enqueued_at: Double?
            var finished_at: Double?
        }
        let result = record.result.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        return try Self.json(
            Body(
                id: record.id, name: record.name, state: record.state.rawValue, attempt: record.attempt,
                result: result, error: record.error, enqueued_at: record.enqueuedAt, finished_at: record.finishedAt),
            status: .ok)
    }

    /// The longest reprocess reason kept (it travels in the task's arguments and its log line).
    static let maximumReasonLength = 500

    /// The optional `reason` of a reprocess body: an empty body, or a JSON object whose
    /// `reason`, when present, is a string of at most 500 characters without control characters.
    static func reprocessReason(_ body: ByteBuffer) throws -> String? {
        guard body.readableBytes > 0 else { return nil }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        else {
            throw Problem(.badRequest, detail: "The body must be a JSON object such as {\"reason\": \"…\"}.")
        }
        switch object["reason"] {
        case nil:
            return nil
        case .string(let text)?
        where text.count <= maximumReasonLength
            && !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }):
            return text
        default:
            throw Problem(
                .badRequest,
                detail:
                    "reason must be a string of at most \(maximumReasonLength) characters without control characters.")
        }
    }

    /// Runs a database operation; no database, or a failed one, is a 503 problem.
    private func database<T: Sendable>(_ body: (CallStore) async throws -> T) async throws -> T {
        guard let calls else { throw Problem(.serviceUnavailable, detail: "The database is not configured.") }
        do {
            return try await body(calls)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.serviceUnavailable, detail: "The database is unavailable; retry later.")
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return HealthRoutes.json(String(decoding: try encoder.encode(value), as: UTF8.self), status: status)
    }
}
