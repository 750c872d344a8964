import HTTPTypes
import Hummingbird

/// Applies a route group's rate limit before authentication and signature checks, so refused
/// requests carry the rate-limit headers and a flood of forged requests is limited too.
///
/// Subjects (the bucket a request counts against):
/// - `.bearerOrganisation` (`/v1`): the organisation named by the session token, read WITHOUT
///   verifying it (verification comes later), falling back to its `sub`, then the client IP
///   when there is no token. A forged token can only spend the budget of the organisation it
///   names, and every forged request is still limited.
/// - `.pathTenant` (`/webhooks/{provider}/{tenant}`): the tenant id in the path.
/// - `.clientIP`: `Fly-Client-IP` when present (Fly's edge sets it and overwrites a client's
///   own), else the TCP peer address.
///
/// Headers follow draft-ietf-httpapi-ratelimit-headers-07: `RateLimit-Policy: 600;w=60` and
/// `RateLimit: limit=600, remaining=599, reset=1`, plus the older `X-RateLimit-Limit`,
/// `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds) on every limited response,
/// refusals included; a refusal is 429 with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext

    enum Subject: Sendable {
        case bearerOrganisation
        case pathTenant
        case clientIP
    }

    let limiter: RateLimiter?
    let subject: Subject

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let limiter else { return try await next(request, context) }
        let key = subjectKey(request: request, context: context)
        guard let decision = try await limiter.decide(subject: key) else {
            return try await next(request, context)
        }
        let headers = Self.headers(decision, policy: limiter.rule.description)
        guard decision.allowed else {
            var refusal = headers
            refusal[.retryAfter] = String(decision.retryAfterSeconds)
            throw Problem(
                .tooManyRequests,
                detail: "Rate limit of \(limiter.rule.limit) requests per \(limiter.rule.periodSeconds) s exceeded.",
                headers: refusal)
        }
        do {
            var response = try await next(request, context)
            for field in headers { response.headers[field.name] = field.value }
            return response
        } catch var problem as Problem {
            for field in headers where problem.headers[field.name] == nil { problem.headers[field.name] = field.value }
            throw problem
        } catch let error as HTTPError {
            var problem = Problem(error.status, detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
            for field in headers { problem.headers[field.name] = field.value }
            throw problem
        }
    }

    static func headers(_ decision: RateLimitDecision, policy: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[.rateLimitPolicy] = policy
        fields[.rateLimit] = "limit=\(decision.limit), remaining=\(decision.remaining), reset=\(decision.resetSeconds)"
        fields[.xRateLimitLimit] = String(decision.limit)
        fields[.xRateLimitRemaining] = String(decision.remaining)
        fields[.xRateLimitReset] = String(decision.resetSeconds)
        return fields
    }

    func subjectKey(request: Request, context: Context) -> String {
        switch subject {
        case .bearerOrganisation:
            if let token = SessionToken.find(in: request), let subject = UnverifiedToken(token)?.subject,
                !subject.isEmpty, subject.utf8.count <= 128
            {
                return "org:" + subject
            }
            return "ip:" + Self.clientIP(request: request, context: context)
        case .pathTenant:
            let segments = request.uri.path.split(separator: "/")
            if let last = segments.last, segments.count >= 3, last.utf8.count <= 64 { return "tenant:" + last }
            return "ip:" + Self.clientIP(request: request, context: context)
        case .clientIP:
            return "ip:" + Self.clientIP(request: request, context: context)
        }
    }

    static func clientIP(request: Request, context: Context) -> String {
        if let fly = request.headers[.flyClientIP], !fly.isEmpty, fly.utf8.count <= 64 { return fly }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}

extension HTTPField.Name {
    static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    static let rateLimit = HTTPField.Name("RateLimit")!
    static let xRateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let xRateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let xRateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
    static let flyClientIP = HTTPField.Name("Fly-Client-IP")!
}
