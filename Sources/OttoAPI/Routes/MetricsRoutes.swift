import HTTPTypes
import Hummingbird
import NIOCore
import OttoCalls
import OttoTasks
import Prometheus

/// `GET /metrics` (internal only): the process's Prometheus registry plus the task system's
/// fleet-wide metrics read from Redis at scrape time.
struct MetricsRoutes {
    let metrics: APIMetrics
    /// The worker fleet; nil without Redis (no fleet metrics then).
    let fleet: WorkerFleet?
    let internalToken: String?

    func register(on router: Router<OttoRequestContext>) {
        let group = router.group("/metrics").add(middleware: InternalOnlyMiddleware(token: internalToken))
        group.get { _, _ in
            var text = metrics.registry.emitToString()
            if let fleet {
                text += await FleetMetrics.render(fleet: fleet, registry: TaskRegistry.catalog)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
