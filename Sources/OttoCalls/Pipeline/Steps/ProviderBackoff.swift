import OttoProviders
import OttoSupport
import OttoTasks

/// A provider's own outage as a deferral, so it never spends the step's attempts: a 429
/// waits its Retry-After (and pauses every worker's calls to that provider for as long), a 5xx
/// or no answer waits exponentially longer with each deferral (2 s doubling to 5 minutes,
/// between half and all of it).
enum ProviderBackoff {
    static let firstDelay: Double = 2
    static let longestDelay: Double = 300

    /// Runs `body`; a provider outage it throws becomes a ``TaskDeferral``.
    static func deferringOutages<T: Sendable>(
        limits: ProviderLimits, deferrals: Int, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as ProviderError where error.isProviderOutage {
            throw await deferral(for: error, deferrals: deferrals, limits: limits)
        }
    }

    static func deferral(for error: ProviderError, deferrals: Int, limits: ProviderLimits) async -> TaskDeferral {
        if case .rateLimited(let retryAfter?) = error.kind {
            let wait = min(retryAfter, RetryPolicy.ceiling)
            // Best effort: without Redis the other workers find the 429 themselves.
            try? await limits.limit(for: error.provider).pause(for: wait)
            return TaskDeferral(delay: wait, reason: error.description)
        }
        return TaskDeferral(delay: .seconds(delay(afterDeferrals: deferrals)), reason: error.description)
    }

    /// Seconds before the next try after `deferrals` earlier deferrals; `jitter` 0...1.
    static func delay(afterDeferrals deferrals: Int, jitter: Double = Double.random(in: 0...1)) -> Double {
        let nominal = min(longestDelay, firstDelay * Double(1 << min(20, max(0, deferrals))))
        return nominal / 2 + nominal / 2 * min(1, max(0, jitter))
    }
}
