import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OttoCalls
import OttoTasks

/// The outermost layer: assigns the request id, turns every error into problem+json, and writes
/// one access-log line per request (method, route template, status, duration, request id, tenant).
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext
    /// The router's routes, for the `Allow` of a 405.
    let routes: AllowedMethodsBox
    let metrics: APIMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = NIODeadline.now()
        var context = context
        let incoming = request.headers[.xRequestID]
        let requestID = incoming.flatMap { RequestID.isValid($0) ? $0 : nil } ?? RequestID.make()
        context.requestID = requestID
        context.logger[metadataKey: "request_id"] = .string(requestID)
        let tracestate = request.headers[values: .tracestate]
        context.trace = TraceContext.continuing(
            request.headers[.traceparent], tracestate: tracestate.isEmpty ? nil : tracestate.joined(separator: ","))
        context.logger[metadataKey: "trace_id"] = .string(context.trace.traceID)

        var response: Response
        do {
            response = try await next(request, context)
        } catch let decorated as CORSDecorated {
            response = errorResponse(for: decorated.error, request: request, context: context)
            decorated.apply(to: &response)
        } catch {
            response = errorResponse(for: error, request: request, context: context)
        }
        response.headers[.xRequestID] = requestID

        response.headers[.traceparent] = context.trace.traceparent
        if let tracestate = context.trace.tracestate { response.headers[.tracestate] = tracestate }

        let endpoint = context.endpointPath ?? "unmatched"
        let template = endpoint == "NotFound" ? "unmatched" : endpoint
        let duration = NIODeadline.now() - start
        let elapsed = Double(duration.nanoseconds) / 1e6
        metrics.recordRequest(
            method: request.method.rawValue, route: template, status: response.status.code,
            duration: .nanoseconds(duration.nanoseconds))
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "route": .string(template),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .stringConvertible((elapsed * 1000).rounded() / 1000),
        ]
        if let tenant = context.facts.tenantID { metadata["tenant_id"] = .string(tenant) }
        context.logger.info("request", metadata: metadata)
        return response
    }

    /// Answers any error with a problem; no database or Redis text ever reaches the client. An
    /// `HTTPResponseError` (a `Problem`) renders itself; Hummingbird's `HTTPError` (the router's
    /// 404) becomes a problem (a 405 with `Allow` when the path has other methods); anything else
    /// is logged and answered with a 500.
    func errorResponse(for error: any Error, request: Request, context: Context) -> Response {
        switch error {
        case let error as HTTPError where error.status == .notFound:
            let allowed = routes.value.methods(matching: request.uri.path)
            if !allowed.isEmpty && !allowed.contains(request.method) {
                var headers = HTTPFields()
                headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return Problem(
                    .methodNotAllowed, detail: "\(request.method.rawValue) is not allowed here.", headers: headers
                ).response(from: request, context: context)
            }
            return Problem(.notFound, detail: "No route matches \(request.method.rawValue) \(request.uri.path).")
                .response(from: request, context: context)
        case let error as HTTPError:
            return Problem(error.status, detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
                .response(from: request, context: context)
        case let error as any HTTPResponseError:
            if let response = try? error.response(from: request, context: context) { return response }
            fallthrough
        default:
            context.logger.error("request failed", metadata: ["error": .string(String(reflecting: type(of: error)))])
            context.logger.debug("request failure detail", metadata: ["detail": .string("\(error)")])
            return Problem(.internalServerError, detail: "The server could not complete the request.")
                .response(from: request, context: context)
        }
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-ID")!
    static let traceparent = HTTPField.Name("traceparent")!
    static let tracestate = HTTPField.Name("tracestate")!
}
