import HTTPTypes
import OpenAPIRuntime
import OttoTasks

/// A request without `Accept` gets `application/json`, as it did before the API was generated:
/// the generated code reads a missing `Accept` as accepting every documented media type, which
/// would make `/ready` answer in the health-check draft's format to a client that asked for
/// nothing (`APIHandler.ready` picks that format only when `Accept` names it).
struct DefaultAcceptMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if request.headerFields[.accept] == nil { request.headerFields[.accept] = "application/json" }
        return try await next(request, body, metadata)
    }
}
