/// One GCRA answer: allowed or not, and what the response headers report.
struct RateLimitDecision: Sendable, Equatable {
    var allowed: Bool
    var limit: Int
    var remaining: Int
    /// Seconds until the quota is whole again.
    var resetSeconds: Int
    /// Seconds to wait before retrying (refusals only).
    var retryAfterSeconds: Int
}
