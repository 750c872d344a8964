import HTTPTypes
import OpenAPIRuntime
import OttoTasks

/// A `/ready` request without `Accept` gets `application/json`, as it did before the API was
/// generated: the generated code reads a missing `Accept` as accepting every documented media
/// type, which would make `/ready` answer in the health-check draft's format to a client that
/// asked for nothing (`APIHandler.ready` picks that format only when `Accept` names it).
///
/// Only `/ready` offers two formats for one answer, so only its requests get the header: on every
/// other operation an added `Accept` changed nothing but cost its parsing and validation
/// (18 % of a `/health`'s instructions under callgrind; Fly's checks send no `Accept`).
struct DefaultAcceptMiddleware: ServerMiddleware {
    /// The operations whose answer has more than one media type.
    static let negotiated: Set<String> = ["ready"]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard Self.negotiated.contains(operationID) else { return try await next(request, body, metadata) }
        var request = request
        if request.headerFields[.accept] == nil { request.headerFields[.accept] = "application/json" }
        return try await next(request, body, metadata)
    }
}
