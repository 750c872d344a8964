import HTTPTypes
import Hummingbird
import OttoCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `/internal/worker/heartbeat`: the live workers and the queues, for operators and dashboards.
struct InternalRoutes {
    /// The worker fleet; nil without Redis.
    let fleet: WorkerFleet?

    func register(on group: RouterGroup<OttoRequestContext>, table: inout RouteTable) {
        group.get("/worker/heartbeat") { _, _ in
            guard let fleet else {
                throw Problem(.serviceUnavailable, detail: "Redis is not configured, so no worker can report.")
            }
            let snapshot: FleetSnapshot
            do {
                snapshot = try await fleet.snapshot()
            } catch {
                throw Problem(.serviceUnavailable, detail: "The worker fleet could not be read.")
            }
            let body = try JSONEncoder().encode(snapshot)
            return HealthRoutes.json(
                String(decoding: body, as: UTF8.self), status: snapshot.workers.isEmpty ? .serviceUnavailable : .ok)
        }
        table.add(.get, "/internal/worker/heartbeat")
    }
}
