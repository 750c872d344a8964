import HTTPTypes
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The tenant API for calls under `/v1`. Every handler reads the caller's tenant that
/// authentication recorded and queries inside that tenant's row-level-security scope, so
/// another tenant's call is a 404, never a leak.
extension APIHandler {
    /// The reason a reprocess without one carries: a reason is what tells the task that a tenant
    /// asked (a copy of an already processed event otherwise does nothing).
    static let defaultReprocessReason = "reprocess requested through the API"

    /// How long a reprocess task's state stays readable at `GET /v1/tasks/{id}`.
    static let resultTTL = 86_400

    func listCalls(_ input: Operations.ListCalls.Input) async throws -> Operations.ListCalls.Output {
        let tenant = try tenant
        var query = CallListQuery()
        if let limit = input.query.limit {
            guard (1...100).contains(limit) else {
                throw Problem(.badRequest, detail: "limit must be an integer from 1 to 100.")
            }
            query.limit = limit
        }
        if let text = input.query.cursor {
            guard let cursor = CallCursor(encoded: text) else {
                throw Problem(.badRequest, detail: "cursor is not one this API issued.")
            }
            query.cursor = cursor
        }
        query.status = input.query.status?.rawValue
        query.from = input.query.from?.timeIntervalSince1970
        query.to = input.query.to?.timeIntervalSince1970
        let page = try await database { try await $0.list(tenantID: tenant, query) }
        return .ok(.init(body: .json(.init(data: page.calls, nextCursor: page.nextCursor))))
    }

    func getCall(_ input: Operations.GetCall.Input) async throws -> Operations.GetCall.Output {
        let tenant = try tenant
        let id = input.path.id
        guard var call = try await database({ try await $0.get(tenantID: tenant, id: id) }) else {
            throw Problem(.notFound, detail: "No such call.")
        }
        call.workflow = try await workflow(tenant: tenant, callID: id)
        return .ok(.init(body: .json(call)))
    }

    /// The body's bounds are checked on its bytes first (`ReprocessBodyMiddleware`).
    func reprocessCall(_ input: Operations.ReprocessCall.Input) async throws -> Operations.ReprocessCall.Output {
        let tenant = try tenant
        let id = input.path.id
        // `from_step` is one of the document's steps (the generated code refuses others with a 400).
        let (reason, fromStep): (String?, String?) =
            switch input.body {
            case .json(let request)?: (request.reason ?? Self.defaultReprocessReason, request.fromStep?.rawValue)
            case nil: (Self.defaultReprocessReason, nil)
            }
        guard UUIDText.isValid(id) else { throw Problem(.notFound, detail: "No such call.") }
        let eventID = try await database { try await $0.latestEventID(tenantID: tenant, callID: id) }
        guard let eventID else { throw Problem(.notFound, detail: "No such call.") }
        let result: EnqueueResult
        do {
            result = try await tasks.enqueue(
                ProcessWebhookEventTask.self,
                .init(eventID: eventID, tenantID: tenant, reason: reason, fromStep: fromStep),
                options: try context.enqueueOptions(EnqueueOptions(resultTTL: Self.resultTTL, tenantID: tenant)))
        } catch {
            throw Problem(.serviceUnavailable, detail: "The task queue is unavailable; retry later.")
        }
        return .accepted(.init(body: .json(.init(taskId: result.id))))
    }

    /// Runs a database operation; no database, or a failed one, is a 503 problem.
    func database<T: Sendable>(_ body: (CallStore) async throws -> T) async throws -> T {
        guard let calls else { throw Problem(.serviceUnavailable, detail: "The database is not configured.") }
        do {
            return try await body(calls)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.serviceUnavailable, detail: "The database is unavailable; retry later.")
        }
    }
}
