import Testing

@testable import OttoCore

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
        let worker = try OttoConfiguration.load(
            for: .worker,
            environment: [
                "ENABLE_CELERY": "true", "REDIS_URL": "redis://127.0.0.1:1/0",
                "DATABASE_URL": "postgres://otto@127.0.0.1:1/otto",
            ])
        let api = try OttoConfiguration.load(
            for: .api, environment: ["DATABASE_URL": "postgres://otto@127.0.0.1:1/otto"])
        for configuration in [worker, api] {
            let span = Duration.seconds(configuration.databaseRetrySpan)
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
}
