import HTTPTypes
import OpenAPIRuntime
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `GET /v1/tasks/{id}`: a task's state, for the tenant that enqueued it (another tenant's
/// task is a 404).
extension APIHandler {
    func getTask(_ input: Operations.GetTask.Input) async throws -> Operations.GetTask.Output {
        let tenant = try tenant
        let id = input.path.id
        guard let taskStates, UUIDText.isValid(id) else { throw Problem(.notFound, detail: "No such task.") }
        let record: TaskStateStore.Record?
        do {
            record = try await taskStates.record(id: id)
        } catch {
            throw Problem(.serviceUnavailable, detail: "Task state is unavailable; retry later.")
        }
        guard let record, record.tenantID == tenant else { throw Problem(.notFound, detail: "No such task.") }
        // The result is stored as the task's JSON text; a text that does not parse is left out.
        let result = record.result.flatMap {
            try? JSONDecoder().decode(OpenAPIValueContainer.self, from: Data($0.utf8))
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        id: record.id, name: record.name, state: .init(stringLiteral: record.state.rawValue),
                        attempt: record.attempt, result: result, error: record.error, enqueuedAt: record.enqueuedAt,
                        finishedAt: record.finishedAt))))
    }
}
