import HTTPTypes
import Hummingbird
import NIOCore
import OttoCore

/// `/health` (liveness: touches nothing) and `/ready` (every configured dependency).
struct HealthRoutes {
    let probe: ReadinessProbe
    static let service = "otto-api"

    func register(on router: Router<OttoRequestContext>, table: inout RouteTable) {
        router.get("/health") { _, _ in
            Self.json(
                "{\"status\":\"healthy\",\"timestamp\":\(Int(UnixTime.now())),\"service\":\"\(Self.service)\"}",
                status: .ok)
        }
        table.add(.get, "/health")

        router.get("/ready") { request, _ in
            let report = await probe.report()
            let status: HTTPResponse.Status = report.ready ? .ok : .serviceUnavailable
            let accept = request.headers[.accept] ?? ""
            // The format follows Accept, so caches must key on it.
            var response: Response
            if accept.contains("application/health+json") {
                response = Self.json(
                    report.healthJSON(service: Self.service, version: OttoVersion.current), status: status,
                    contentType: "application/health+json")
            } else {
                response = Self.json(report.json(service: Self.service), status: status)
            }
            response.headers[.vary] = "Accept"
            return response
        }
        table.add(.get, "/ready")
    }

    static func json(_ text: String, status: HTTPResponse.Status, contentType: String = "application/json") -> Response
    {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
