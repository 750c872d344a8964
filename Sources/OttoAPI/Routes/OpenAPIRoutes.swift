import Hummingbird
import OttoCalls

/// `GET /openapi.json`: docs/openapi.json, the one OpenAPI 3.1 document of the HTTP API, byte
/// for byte (embedded by `make openapi` as `OpenAPIDocument.json`).
struct OpenAPIRoutes {
    func register(on router: Router<OttoRequestContext>) {
        router.get("/openapi.json") { _, _ in JSONResponse.make(document: OpenAPIDocument.json, status: .ok) }
    }
}
