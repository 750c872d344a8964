import HTTPTypes
import Hummingbird
import OttoCalls
import OttoTasks

/// CORS for `ALLOWED_ORIGINS`, a list of exact origins.
///
/// - A preflight (OPTIONS with `Access-Control-Request-Method`) from an allowed origin answers
///   204 with the allowed methods and headers and a max age; from any other origin it answers
///   204 without CORS headers, so the browser refuses the real request.
/// - Actual requests from an allowed origin get `Access-Control-Allow-Origin` (the origin
///   itself) and `Access-Control-Allow-Credentials: true`; a disallowed origin gets no CORS
///   headers at all.
/// - `*` (refused by configuration in staging and production) allows any origin, answered as
///   `*` and without credentials, as the Fetch standard requires.
/// - `Vary: Origin` is on every response, so caches never serve one origin's answer to another;
///   it is added to a handler's own `Vary` values, never in place of them.
/// - A preflight's `Access-Control-Request-Method` must be exactly one of the allowed methods.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext
    let origins: Set<String>
    let wildcard: Bool

    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    static let allowedMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    static let allowedHeaders = [
        "authorization", "content-type", "idempotency-key", "x-request-id", "traceparent", "tracestate",
    ]
    static let exposedHeaders =
        "X-Request-ID, Idempotent-Replayed, RateLimit, RateLimit-Policy, X-RateLimit-Limit, "
        + "X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"
    static let maxAge = "600"

    init(allowedOrigins: [String]) {
        self.wildcard = allowedOrigins.contains("*")
        self.origins = Set(allowedOrigins.filter { $0 != "*" })
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let origin = request.headers[.origin]
        let listed = origin.map { origins.contains($0) } ?? false
        let allowed = listed || (origin != nil && wildcard)

        if request.method == .options, origin != nil, let wanted = request.headers[.accessControlRequestMethod] {
            var headers = HTTPFields()
            headers[.vary] = "Origin"
            if allowed, Self.methodAllowed(wanted), requestedHeadersAllowed(request) {
                headers[.accessControlAllowOrigin] = listed ? origin : "*"
                if listed { headers[.accessControlAllowCredentials] = "true" }
                headers[.accessControlAllowMethods] = Self.allowedMethods
                headers[.accessControlAllowHeaders] =
                    "Authorization, Content-Type, Idempotency-Key, X-Request-ID, traceparent, tracestate"
                headers[.accessControlMaxAge] = Self.maxAge
            }
            return Response(status: .noContent, headers: headers)
        }

        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Errors become problems in the outer layer; they need the CORS headers too, so a
            // browser can read a 401 or 429. Attach them to a problem and rethrow.
            guard allowed, let origin else { throw CORSDecorated(error: error, headers: [:]) }
            throw CORSDecorated(error: error, headers: corsHeaders(origin: origin, listed: listed))
        }
        Self.addVaryOrigin(to: &response.headers)
        if allowed, let origin {
            for field in corsHeaders(origin: origin, listed: listed) { response.headers[field.name] = field.value }
        }
        return response
    }

    /// Exactly one of the allowed methods (method names are case-sensitive; browsers send the
    /// standard ones in upper case).
    static func methodAllowed(_ requested: String) -> Bool {
        let trimmed = requested.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }
        return methods.contains(String(trimmed.reversed()))
    }

    /// Adds `Origin` to the response's `Vary` values unless they already list it (or `*`).
    static func addVaryOrigin(to headers: inout HTTPFields) {
        let values = headers[values: .vary].flatMap { $0.split(separator: ",") }.map {
            String($0.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        }.filter { !$0.isEmpty }
        if values.contains(where: { $0 == "*" || $0.lowercased() == "origin" }) { return }
        headers[.vary] = (values + ["Origin"]).joined(separator: ", ")
    }

    private func corsHeaders(origin: String, listed: Bool) -> HTTPFields {
        var headers = HTTPFields()
        headers[.accessControlAllowOrigin] = listed ? origin : "*"
        if listed { headers[.accessControlAllowCredentials] = "true" }
        headers[.accessControlExposeHeaders] = Self.exposedHeaders
        return headers
    }

    private func requestedHeadersAllowed(_ request: Request) -> Bool {
        guard let requested = request.headers[.accessControlRequestHeaders] else { return true }
        return requested.split(separator: ",").allSatisfy { name in
            let trimmed = String(
                name.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" })
                    .reversed()
            ).lowercased()
            return trimmed.isEmpty || Self.allowedHeaders.contains(trimmed)
        }
    }
}

/// An error on its way out through the CORS layer, with the headers its problem response needs.
struct CORSDecorated: Error {
    var error: any Error
    /// The CORS headers of an allowed origin (none for others); `Vary: Origin` is always added.
    var headers: HTTPFields

    /// Puts the CORS headers on the problem response made from `error`.
    func apply(to response: inout Response) {
        CORSMiddleware.addVaryOrigin(to: &response.headers)
        for field in headers { response.headers[field.name] = field.value }
    }
}
