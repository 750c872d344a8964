import Hummingbird

/// `GET /openapi.json`: the OpenAPI 3.1 document of the public HTTP API.
struct OpenAPIRoutes {
    func register(on router: Router<OttoRequestContext>, table: inout RouteTable) {
        router.get("/openapi.json") { _, _ in
            HealthRoutes.json(OpenAPIDocument.json, status: .ok)
        }
        table.add(.get, "/openapi.json")
    }
}
