import HTTPTypes
import Hummingbird

/// The webhook routes' rate limit, charged after verification (DESIGN.md "Rate limiting"): a
/// verified webhook spends its tenant's bucket; one whose credentials fail (signature, account,
/// company, unknown tenant) spends a bucket of its client address, with the same
/// `RATE_LIMIT_WEBHOOKS` limit, and gets 429 once that is spent. So forged traffic naming a
/// tenant never spends that tenant's budget, and a forger that varies the tenant in the path
/// is limited all the same.
///
/// Every answer it wraps carries both header families (`RateLimit-Policy`/`RateLimit` and
/// `X-RateLimit-*`), refusals included. The client address comes only from
/// `RateLimitMiddleware.clientIP(request:context:)`, the one place that chooses it.
struct WebhookRateLimit: Sendable {
    /// Nil without Redis: limiting is off (the documented rollback).
    let limiter: RateLimiter?

    /// The bucket a request is charged to.
    enum Subject {
        /// A verified webhook of this tenant (a lower-case UUID).
        case tenant(String)
        /// An unverified request: its client address.
        case clientAddress
    }

    /// Charges `subject` and runs `body` unless the bucket is spent (429 problem with
    /// `Retry-After`); the headers go on `body`'s response and on the problem it throws.
    func charge(
        _ subject: Subject, request: Request, context: OttoRequestContext, _ body: () async throws -> Response
    ) async throws -> Response {
        guard let limiter else { return try await body() }
        let key: String
        switch subject {
        case .tenant(let id): key = "tenant:" + id
        case .clientAddress: key = "ip:" + RateLimitMiddleware.clientIP(request: request, context: context)
        }
        return try await RateLimitMiddleware.charge(limiter, subject: key, body)
    }
}
