import HTTPTypes
import Hummingbird
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// Applies a route group's rate limit, so refused requests carry the rate-limit headers and a
/// flood of forged requests is limited too, without forged traffic spending a tenant's budget.
///
/// Subjects (the bucket a request counts against):
/// - `.credentials` (`/v1`, after `SessionVerificationMiddleware`, before any database work): a
///   verified token's organisation (its tenant); a request whose credentials failed (missing,
///   forged, expired token, or keys unavailable) counts against its client's address, with the
///   same limit. So a forger naming a tenant never spends that tenant's budget, and a forger
///   who varies the names is still limited by his address.
///
/// Webhooks do not use this middleware: they verify first and charge `WebhookRateLimit`
/// themselves.
///
/// Headers follow draft-ietf-httpapi-ratelimit-headers-07: `RateLimit-Policy: 600;w=60` and
/// `RateLimit: limit=600, remaining=599, reset=1`, plus the older `X-RateLimit-Limit`,
/// `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds) on every limited response,
/// refusals included; a refusal is 429 with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext

    enum Subject: Sendable {
        case credentials
    }

    let limiter: RateLimiter?
    let subject: Subject

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let limiter else { return try await next(request, context) }
        let key = subjectKey(request: request, context: context)
        return try await Self.charge(limiter, subject: key) { try await next(request, context) }
    }

    /// Charges `subject` one request on `limiter`, then runs `body`: a refusal is a 429 problem
    /// with Retry-After, and every answer (response or problem) carries both header families.
    /// Shared by this middleware and the webhook routes, which charge after verification.
    static func charge(
        _ limiter: RateLimiter, subject key: String, _ body: () async throws -> Response
    ) async throws -> Response {
        guard let decision = try await limiter.decide(subject: key) else { return try await body() }
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
            var response = try await body()
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
        case .credentials:
            let address = Self.clientIP(request: request, context: context)
            return context.credentials?.rateLimitSubject(clientAddress: address) ?? "ip:" + address
        }
    }

    /// The client's address as `ClientAddressMiddleware` chose it for this request (the TCP
    /// peer, or `Fly-Client-IP` where that header is trusted); route handlers call this too.
    static func clientIP(request: Request, context: Context) -> String {
        context.clientAddress ?? context.remoteAddress?.ipAddress ?? "unknown"
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
