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
        context.trace = TraceContext.continuing(request.headers[.traceparent])
        context.logger[metadataKey: "trace_id"] = .string(context.trace.traceID)

        var response: Response
        do {
            response = try await next(request, context)
        } catch let decorated as CORSDecorated {
            response = problem(for: decorated.error, request: request, context: context).response(requestID: requestID)
            decorated.apply(to: &response)
        } catch {
            response = problem(for: error, request: request, context: context).response(requestID: requestID)
        }
        response.headers[.xRequestID] = requestID

        response.headers[.traceparent] = context.trace.traceparent

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

    /// Maps any error to a problem; no database or Redis text ever reaches the client.
    func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError where error.status == .notFound:
            let allowed = routes.value.methods(matching: request.uri.path)
            if !allowed.isEmpty && !allowed.contains(request.method) {
                var headers = HTTPFields()
                headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return Problem(
                    .methodNotAllowed, detail: "\(request.method.rawValue) is not allowed here.", headers: headers)
            }
            return Problem(.notFound, detail: "No route matches \(request.method.rawValue) \(request.uri.path).")
        case let error as HTTPError:
            return Problem(error.status, detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
        default:
            context.logger.error("request failed", metadata: ["error": .string(String(reflecting: type(of: error)))])
            context.logger.debug("request failure detail", metadata: ["detail": .string("\(error)")])
            return Problem(.internalServerError, detail: "The server could not complete the request.")
        }
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-ID")!
    static let traceparent = HTTPField.Name("traceparent")!
}
