import OttoSupport

/// How a task's failed attempts are retried: exponential backoff with jitter (attempt n waits
/// base × 2^(n-1), between half and all of it, capped at `maximumDelay`) up to a number of
/// attempts, so a failing dependency is not hammered in lock-step by every worker.
///
/// A policy that `spansOutages` (the tasks that need PostgreSQL) also keeps retrying, past its
/// attempts, until the outage span the process is configured with (`DATABASE_RETRY_SPAN`) has
/// passed since the task's first failure. The rule is about time, not a count, on purpose: with
/// jitter every delay can be as short as half its nominal value, so a count of attempts chosen
/// for "about ten minutes" could be spent in five.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts before the task is dead-lettered (the producer may ask for another number).
    public var maxAttempts: Int
    /// The first retry's nominal delay; each further retry doubles it.
    public var baseDelay: Duration
    /// No nominal delay is longer than this.
    public var maximumDelay: Duration
    /// Retry until the configured outage span has passed since the first failure, whatever the count.
    public var spansOutages: Bool

    /// The longest any retry waits, whatever a policy says (ten minutes).
    public static let ceiling: Duration = .seconds(600)

    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .seconds(1), maximumDelay: Duration = RetryPolicy.ceiling,
        spansOutages: Bool = false
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = min(maximumDelay, RetryPolicy.ceiling)
        self.spansOutages = spansOutages
    }

    /// For tasks whose work is PostgreSQL's (`process_webhook_event`): five attempts at least,
    /// then on until the outage span passes, never more than a minute apart, so the task runs
    /// within a minute of PostgreSQL coming back.
    public static let databaseBound = RetryPolicy(
        maxAttempts: 5, baseDelay: .seconds(1), maximumDelay: .seconds(60), spansOutages: true)

    /// Seconds to wait before the attempt after `failedAttempt` (1-based); `jitter` in 0...1
    /// picks between half (0) and all (1) of the nominal delay.
    public func delay(afterAttempt failedAttempt: Int, jitter: Double = Double.random(in: 0...1)) -> Double {
        let nominal = min(
            maximumDelay.inSeconds, baseDelay.inSeconds * Double(1 << min(30, max(0, failedAttempt - 1))))
        return nominal / 2 + nominal / 2 * min(1, max(0, jitter))
    }

    /// Whether a failed attempt gets another one.
    ///
    /// - Parameters:
    ///   - failedAttempt: the attempt that just failed (1-based).
    ///   - maxAttempts: the envelope's attempts (the producer's choice or this policy's).
    ///   - firstFailureAt: unix seconds of the task's first failure.
    ///   - now: unix seconds now.
    ///   - outageSpan: how long a policy that spans outages keeps retrying after the first failure.
    public func retries(
        afterFailedAttempt failedAttempt: Int, maxAttempts: Int, firstFailureAt: Double, now: Double,
        outageSpan: Duration
    ) -> Bool {
        if failedAttempt < maxAttempts { return true }
        return spansOutages && now - firstFailureAt < outageSpan.inSeconds
    }
}
