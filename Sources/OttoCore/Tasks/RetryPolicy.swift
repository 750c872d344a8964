/// Exponential backoff with jitter: attempt n waits base × 2^(n-1), between half and all of it,
/// capped at ten minutes, so a failing dependency is not hammered in lock-step by every worker.
public enum RetryPolicy {
    public static let maximumDelay: Double = 600

    /// Seconds to wait before the attempt after `failedAttempt` (1-based).
    public static func delay(afterAttempt failedAttempt: Int, base: Duration, jitter: Double = Double.random(in: 0...1))
        -> Double
    {
        let baseSeconds = base.inSeconds
        let exponential = min(maximumDelay, baseSeconds * Double(1 << min(30, max(0, failedAttempt - 1))))
        return exponential / 2 + exponential / 2 * jitter
    }
}
