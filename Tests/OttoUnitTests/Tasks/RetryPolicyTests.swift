import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

@Suite("Retry policies")
struct RetryPolicyTests {
    /// The failures of a task whose every attempt fails at once, retried as `policy` and a worker
    /// with `span` decide, each delay drawn at `jitter`: the times (seconds after the first
    /// failure) of every failed attempt, the last one being the one that was dead-lettered.
    static func failures(_ policy: RetryPolicy, maxAttempts: Int, span: Duration, jitter: Double) -> [Double] {
        var times: [Double] = [0]
        var attempt = 1
        while policy.retries(
            afterFailedAttempt: attempt, maxAttempts: maxAttempts, firstFailureAt: 0, now: times.last!, outageSpan: span
        ) {
            times.append(times.last! + policy.delay(afterAttempt: attempt, jitter: jitter))
            attempt += 1
            if attempt > 10_000 { break }
        }
        return times
    }

    @Test(
        "with the default DATABASE_RETRY_SPAN, process_webhook_event retries through a ten-minute outage even at the shortest jitter"
    )
    func databaseBoundTasksOutlastTenMinutes() throws {
        let worker = try WorkerProcessConfiguration.load(
            environment: [
                "ENABLE_CELERY": "true", "REDIS_URL": "redis://127.0.0.1:1/0",
                "DATABASE_URL": "postgres://otto@127.0.0.1:1/otto",
            ])
        let api = try APIProcessConfiguration.load(environment: ["DATABASE_URL": "postgres://otto@127.0.0.1:1/otto"])
        for seconds in [
            try #require(worker.worker).databaseRetrySpan, try #require(api.inProcessTasks).databaseRetrySpan,
        ] {
            let span = Duration.seconds(seconds)
            let policy = ProcessWebhookEventTask.retryPolicy
            for jitter in [0.0, 0.5, 1.0] {
                let times = Self.failures(policy, maxAttempts: policy.maxAttempts, span: span, jitter: jitter)
                // Dead-lettered only after ten minutes of failures...
                #expect(times.last! >= 600, "jitter \(jitter): dead after \(times.last!) s")
                // ...and never more than a minute between attempts, so it runs soon after the outage.
                let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
                #expect(gaps.allSatisfy { $0 <= 60 }, "jitter \(jitter): longest gap \(gaps.max() ?? 0) s")
            }
        }
    }

    @Test("a policy that does not span outages stops at its attempts; jitter keeps each delay in half to all of it")
    func countedPolicies() {
        let ping = PingTask.retryPolicy
        #expect(Self.failures(ping, maxAttempts: 3, span: .seconds(900), jitter: 0).count == 3)
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(2))
        #expect(policy.delay(afterAttempt: 3, jitter: 0) == 4)
        #expect(policy.delay(afterAttempt: 3, jitter: 1) == 8)
        #expect(policy.delay(afterAttempt: 40, jitter: 1) == 600)
        // The envelope's attempts are a floor for a policy that spans outages: never fewer.
        let spanning = RetryPolicy.databaseBound
        #expect(Self.failures(spanning, maxAttempts: 8, span: .zero, jitter: 0).count == 8)
    }

    /// Attempt n's window: half to all of base·2^(n-1), the nominal value capped at the policy's
    /// maximum. (Windows two attempts apart never overlap, so a constant or linear delay fails.)
    static func window(_ policy: RetryPolicy, attempt: Int) -> ClosedRange<Double> {
        let nominal = min(policy.maximumDelay.inSeconds, policy.baseDelay.inSeconds * Double(1 << (attempt - 1)))
        return (nominal / 2)...nominal
    }

    @Test("successive delays double: attempt n waits within half to all of base·2^(n-1), at every jitter")
    func delaysGrowExponentially() {
        let policy = RetryPolicy(maxAttempts: 12, baseDelay: .milliseconds(200))
        for jitter in [0.0, 0.25, 0.5, 1.0] {
            let delays = (1...11).map { policy.delay(afterAttempt: $0, jitter: jitter) }
            for (index, delay) in delays.enumerated() {
                #expect(Self.window(policy, attempt: index + 1).contains(delay), "attempt \(index + 1): \(delay) s")
            }
            // At one jitter each delay is exactly twice the one before (below the cap).
            for (earlier, later) in zip(delays, delays.dropFirst()) {
                #expect(abs(later - 2 * earlier) < 1e-9, "\(earlier) s then \(later) s at jitter \(jitter)")
            }
        }
        // The cap: process_webhook_event doubles from 1 s to its minute, then stays within 30 to 60 s.
        let bound = RetryPolicy.databaseBound
        #expect((1...7).map { bound.delay(afterAttempt: $0, jitter: 1) } == [1, 2, 4, 8, 16, 32, 60])
        #expect((1...40).allSatisfy { (0.5...60).contains(bound.delay(afterAttempt: $0, jitter: 0)) })
        #expect(bound.delay(afterAttempt: 40, jitter: 0) == 30)
    }

    @Test("the jitter a worker draws spreads each delay across its whole window")
    func drawnJitterSpansTheWindow() {
        // The worker calls delay(afterAttempt:) without a jitter: it draws one per retry. 2000
        // draws per attempt from a uniform jitter leave neither tenth of the window empty by
        // chance (probability 0.9^2000 each).
        let policy = RetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(200))
        for attempt in 1...6 {
            let window = Self.window(policy, attempt: attempt)
            let width = window.upperBound - window.lowerBound
            let draws = (0..<2000).map { _ in policy.delay(afterAttempt: attempt) }
            #expect(draws.allSatisfy { window.contains($0) }, "attempt \(attempt) outside \(window)")
            #expect(draws.min()! < window.lowerBound + width / 10, "attempt \(attempt): lowest \(draws.min()!)")
            #expect(draws.max()! > window.upperBound - width / 10, "attempt \(attempt): highest \(draws.max()!)")
        }
    }
}
