import HTTPTypes
import OpenAPIRuntime
import OttoTasks

/// The headers every generated operation's answer had when the routes were hand-written:
/// `Cache-Control: no-store` (health, readiness and tenant data are never cached), the media
/// type without the generator's `; charset=utf-8` (JSON is UTF-8 by definition, RFC 8259), and
/// `Vary: Accept` on `/ready`, whose format follows `Accept`.
struct ResponseHeadersMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var (response, responseBody) = try await next(request, body, metadata)
        response.headerFields[.cacheControl] = "no-store"
        if let type = response.headerFields[.contentType], let end = type.firstIndex(of: ";") {
            response.headerFields[.contentType] = String(type[..<end])
        }
        if operationID == Operations.Ready.id { response.headerFields[.vary] = "Accept" }
        return (response, responseBody)
    }
}
