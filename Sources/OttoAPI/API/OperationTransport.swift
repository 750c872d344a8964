import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// Where the generated `registerHandlers` puts each operation of docs/openapi.json: on the
/// router group whose middleware that path had before the API was generated, so `/v1/*` gets
/// session verification, the rate limit, tenant resolution and idempotency, `/internal/*` the
/// internal-only check, and `/health` and `/ready` none of them.
///
/// One generated `APIProtocol` serves all operations; the group is chosen by the path's first
/// segment (`/v1`, `/internal`), the way the routes were mounted by hand, and the router's own
/// route list (`Router.routes`, checked against the document by the OpenAPI tests) shows each
/// operation at its documented path.
struct OperationTransport: ServerTransport {
    /// Groups by mount point (`/v1`), each with its middleware and a final `RequestContextMiddleware`.
    let groups: [(prefix: String, group: RouterGroup<OttoRequestContext>)]
    /// Operations outside every group (`/health`, `/ready`).
    let root: RouterGroup<OttoRequestContext>

    func register(
        _ handler:
            @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (
                HTTPResponse, HTTPBody?
            ),
        method: HTTPRequest.Method, path: String
    ) throws {
        for (prefix, group) in groups where path.hasPrefix(prefix + "/") {
            group.register(handler, method: method, path: String(path.dropFirst(prefix.count)))
            return
        }
        root.register(handler, method: method, path: path)
    }
}
