import Hummingbird
import OpenAPIRuntime
import OttoTasks

/// The innermost middleware of each router group that serves generated operations (see
/// `OperationTransport`).
///
/// - It hands the Hummingbird request context, as the outer layers left it (request id, trace,
///   client address, session, tenant), to `APIHandler`, which sees only the OpenAPI request: a
///   task-local, as swift-openapi-hummingbird's README shows.
/// - It turns the generated code's `ServerError` back into what it wraps (``ServerError/edgeError``),
///   so the layers outside see a `Problem` as they did before the API was generated: the rate
///   limit adds its headers to it, idempotency releases its key, and observability renders it.
struct OperationContextMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext

    @TaskLocal static var current: OttoRequestContext?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await Self.$current.withValue(context) { try await next(request, context) }
        } catch let error as ServerError {
            throw error.edgeError
        }
    }
}
