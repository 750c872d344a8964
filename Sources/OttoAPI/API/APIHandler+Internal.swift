import HTTPTypes
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// `/internal/worker/heartbeat`: the live workers and the queues, for operators and dashboards
/// (behind `InternalOnlyMiddleware`); 503 when no worker is alive.
extension APIHandler {
    func workerHeartbeat(_ input: Operations.WorkerHeartbeat.Input) async throws
        -> Operations.WorkerHeartbeat.Output
    {
        guard let fleet else {
            throw Problem(.serviceUnavailable, detail: "Redis is not configured, so no worker can report.")
        }
        let snapshot: FleetSnapshot
        do {
            snapshot = try await fleet.snapshot()
        } catch {
            throw Problem(.serviceUnavailable, detail: "The worker fleet could not be read.")
        }
        return snapshot.workers.isEmpty
            ? .serviceUnavailable(.init(body: .json(snapshot))) : .ok(.init(body: .json(snapshot)))
    }
}
