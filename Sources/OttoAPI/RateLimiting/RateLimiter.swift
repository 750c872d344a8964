import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport

/// The API's rate limiter for one route group: takes from OttoCore's `RateLimitStore` (GCRA
/// buckets in Redis) and decides what a failure means.
///
/// When Redis fails, the group's fail policy decides (`RATE_LIMIT_FAIL_OPEN`), every such
/// decision is counted, and a warning is logged at most once per `logInterval`.
final class RateLimiter: Sendable {
    let group: String
    let rule: RateLimitRule
    let failOpen: Bool
    private let store: RateLimitStore
    private let metrics: APIMetrics
    private let logger: Logger
    private let logInterval: Duration
    /// The longest a request waits for a decision; a hung Redis then counts as failed, so it
    /// delays requests by at most this much instead of the Redis command timeout.
    private let decisionTimeout: Duration
    private let lastFailureLog = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    init(
        group: String, rule: RateLimitRule, failOpen: Bool, store: RateLimitStore,
        metrics: APIMetrics, logger: Logger, logInterval: Duration = .seconds(30),
        decisionTimeout: Duration = .seconds(1)
    ) {
        self.group = group
        self.rule = rule
        self.failOpen = failOpen
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.logInterval = logInterval
        self.decisionTimeout = decisionTimeout
    }

    /// Decides for one request of `subject`; nil means "not limited" (Redis failed, fail-open).
    func decide(subject: String) async throws(Problem) -> RateLimitDecision? {
        do {
            let (store, group, rule) = (self.store, self.group, self.rule)
            // A late command is left to finish within the Redis client's own command timeout.
            let outcome = try await withDeadline(decisionTimeout, whenLate: .leaveRunning) {
                try await store.take(group: group, subject: subject, rule: rule)
            }
            let decision = RateLimitDecision(
                allowed: outcome.allowed, limit: rule.limit, remaining: outcome.remaining,
                resetSeconds: (outcome.resetMilliseconds + 999) / 1000,
                retryAfterSeconds: max(1, (outcome.retryAfterMilliseconds + 999) / 1000))
            metrics.recordRateLimit(group: group, decision: decision.allowed ? "allowed" : "limited")
            return decision
        } catch {
            metrics.recordRateLimit(group: group, decision: failOpen ? "error_open" : "error_closed")
            logFailureOncePerInterval(error)
            if failOpen { return nil }
            throw Problem(.serviceUnavailable, detail: "Rate limiting is unavailable; retry shortly.")
        }
    }

    private func logFailureOncePerInterval(_ error: any Error) {
        let now = ContinuousClock.now
        let shouldLog = lastFailureLog.withLockedValue { last -> Bool in
            if let last, now - last < logInterval { return false }
            last = now
            return true
        }
        guard shouldLog else { return }
        logger.warning(
            "rate limiting unavailable",
            metadata: [
                "group": .string(group), "policy": .string(failOpen ? "fail_open" : "fail_closed"),
                "error": .string(String(reflecting: type(of: error))),
            ])
    }
}
