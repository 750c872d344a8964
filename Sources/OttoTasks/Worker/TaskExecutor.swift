import Logging
import NIOConcurrencyHelpers
import OttoRedis
import OttoSupport

/// Runs one delivered task under its time limit and records the outcome in Redis: acknowledged,
/// rescheduled with backoff, or dead-lettered. Logs the task-end line.
struct TaskExecutor: Sendable {
    let redis: RedisClient
    let keys: RedisKeys
    let registry: TaskRegistry
    let logger: Logger
    let stats: WorkerStats
    let acks: AckBuffer
    /// Told the due time of each retry this worker schedules, so promotion wakes for it.
    let retryDue: NIOLockedValueBox<Double?>
    /// How long tasks whose policy spans outages keep retrying after their first failure.
    let databaseRetrySpan: Duration
    /// How long a task may be deferred after its first deferral before a deferral fails its attempt.
    let deferralSpan: Duration

    func execute(_ delivery: Delivery) async {
        let start = ContinuousClock.now
        stats.begin()
        let envelope: TaskEnvelope
        do {
            envelope = try TaskEnvelope.decode(delivery.envelope)
        } catch {
            await bury(delivery, envelopeText: delivery.envelope, reason: "malformed envelope")
            finish(
                name: "unknown", queue: delivery.queue, envelope: nil, outcome: .dead, start: start,
                error: "malformed envelope")
            return
        }
        let taskLogger = Self.logger(logger, for: envelope)

        guard let entry = registry.entry(named: envelope.name) else {
            await bury(delivery, envelopeText: delivery.envelope, reason: "unknown task \(envelope.name)")
            await track(envelope, .dead, error: "unknown task")
            finish(
                name: envelope.name, queue: delivery.queue, envelope: envelope, outcome: .dead, start: start,
                error: "unknown task")
            return
        }
        guard let run = entry.run else {
            let reason = "\(envelope.name) cannot run here: \(registry.unavailable[envelope.name] ?? "unavailable")"
            await bury(delivery, envelopeText: delivery.envelope, reason: reason)
            await track(envelope, .dead, error: reason)
            finish(
                name: envelope.name, queue: delivery.queue, envelope: envelope, outcome: .dead, start: start,
                error: reason)
            return
        }
        await track(envelope, .running)
        let plan = Self.plan(
            envelope, policy: entry.retryPolicy, now: UnixTime.now(), outageSpan: databaseRetrySpan,
            deferralSpan: deferralSpan)
        let context = TaskContext(
            envelope: envelope, logger: taskLogger, willRetryOnFailure: plan.willRetry, canDefer: plan.canDefer)
        let limit = Duration.milliseconds(Int64(envelope.timeLimit * 1000))
        do {
            let result = try await Self.withTimeLimit(limit) { try await run(envelope.arguments, context) }
            acks.add(queue: delivery.queue, entryID: delivery.entryID)
            await track(envelope, .succeeded, result: result)
            finish(
                name: envelope.name, queue: delivery.queue, envelope: envelope, outcome: .succeeded, start: start,
                error: nil)
        } catch is CancellationError {
            // Shutdown interrupted the run: leave the entry pending for another worker.
            finish(
                name: envelope.name, queue: delivery.queue, envelope: envelope, outcome: .failed, start: start,
                error: "interrupted by shutdown")
        } catch let deferral as TaskDeferral where plan.canDefer {
            // Work that cannot run now for a reason outside it: later, with the attempt unchanged.
            let next = Self.deferred(envelope, deferral, now: UnixTime.now())
            await reschedule(delivery, envelope: envelope, next: next, message: deferral.reason, start: start)
        } catch {
            let message = "\(error)"
            let permanent = (error as? TaskError)?.code == .invalidArguments
            let now = UnixTime.now()
            let firstFailure = envelope.firstFailedAt ?? now
            let retries = entry.retryPolicy.retries(
                afterFailedAttempt: envelope.attempt, maxAttempts: envelope.maxAttempts, firstFailureAt: firstFailure,
                now: now, outageSpan: databaseRetrySpan)
            if !permanent && retries {
                var next = envelope
                next.attempt += 1
                next.lastError = message
                next.firstFailedAt = firstFailure
                let delay = entry.retryPolicy.delay(afterAttempt: envelope.attempt)
                next.dueAt = ((UnixTime.now() + delay) * 1000).rounded() / 1000
                await reschedule(delivery, envelope: envelope, next: next, message: message, start: start)
            } else {
                var last = envelope
                last.lastError = message
                let text = (try? last.encoded()) ?? delivery.envelope
                if await bury(delivery, envelopeText: text, reason: message) {
                    await track(envelope, .dead, error: message)
                    finish(
                        name: envelope.name, queue: delivery.queue, envelope: envelope, outcome: .dead, start: start,
                        error: message)
                } else {
                    finish(
                        name: envelope.name, queue: delivery.queue, envelope: envelope, outcome: .failed, start: start,
                        error: message)
                }
            }
        }
    }

    /// `base` with the task's metadata. Set as one dictionary on a copy of the handler: six
    /// `logger[metadataKey:]` assignments cost 9,500 instructions a task (callgrind), most of
    /// it in going through the existential handler once per key.
    static func logger(_ base: Logger, for envelope: TaskEnvelope) -> Logger {
        var handler = base.handler
        var metadata = handler.metadata
        metadata.reserveCapacity(metadata.count + 6)
        metadata["task_id"] = .string(envelope.id)
        metadata["task_name"] = .string(envelope.name)
        metadata["queue"] = .string(envelope.queue)
        metadata["attempt"] = .stringConvertible(envelope.attempt)
        if let trace = envelope.traceID { metadata["trace_id"] = .string(trace) }
        if let tenant = envelope.tenantID { metadata["tenant_id"] = .string(tenant) }
        handler.metadata = metadata
        var logger = base
        logger.handler = handler
        return logger
    }

    /// Acknowledges this attempt and schedules `next` (a retry or a deferral); the task-end line
    /// says `retrying` with this attempt's number.
    private func reschedule(
        _ delivery: Delivery, envelope: TaskEnvelope, next: TaskEnvelope, message: String,
        start: ContinuousClock.Instant
    ) async {
        do {
            _ = try await redis.eval(
                QueueScripts.retry, keys: [keys.stream(delivery.queue), keys.delayed(delivery.queue)],
                arguments: [
                    RedisKeys.consumerGroup, delivery.entryID, try next.encoded(), String(Int64(next.dueAt * 1000)),
                ])
            retryDue.withLockedValue { $0 = min($0 ?? next.dueAt, next.dueAt) }
            await track(next, .queued, error: message)
            finish(
                name: envelope.name, queue: delivery.queue, envelope: envelope, outcome: .retrying, start: start,
                error: message)
        } catch {
            finish(
                name: envelope.name, queue: delivery.queue, envelope: envelope, outcome: .failed, start: start,
                error: message)
        }
    }

    /// Decided before a run, so the task and the runner agree: whether a failure of this attempt
    /// is retried, and whether a deferral is still a deferral (the deferral span has not passed
    /// since the first one).
    static func plan(
        _ envelope: TaskEnvelope, policy: RetryPolicy, now: Double, outageSpan: Duration, deferralSpan: Duration
    ) -> (willRetry: Bool, canDefer: Bool) {
        let willRetry = policy.retries(
            afterFailedAttempt: envelope.attempt, maxAttempts: envelope.maxAttempts,
            firstFailureAt: envelope.firstFailedAt ?? now, now: now, outageSpan: outageSpan)
        let canDefer = now - (envelope.firstDeferredAt ?? now) < deferralSpan.inSeconds
        return (willRetry, canDefer)
    }

    /// The envelope of a deferred task: the same attempt, due after the deferral's delay (at
    /// most ``RetryPolicy/ceiling``), its reason as the last error.
    static func deferred(_ envelope: TaskEnvelope, _ deferral: TaskDeferral, now: Double) -> TaskEnvelope {
        var next = envelope
        next.deferrals = (envelope.deferrals ?? 0) + 1
        next.firstDeferredAt = envelope.firstDeferredAt ?? now
        next.lastError = deferral.reason
        let delay = min(max(0, deferral.delay.inSeconds), RetryPolicy.ceiling.inSeconds)
        next.dueAt = ((now + delay) * 1000).rounded() / 1000
        return next
    }

    @discardableResult
    private func bury(_ delivery: Delivery, envelopeText: String, reason: String) async -> Bool {
        do {
            _ = try await redis.eval(
                QueueScripts.bury, keys: [keys.stream(delivery.queue), keys.dead(delivery.queue)],
                arguments: [RedisKeys.consumerGroup, delivery.entryID, envelopeText, reason])
            return true
        } catch {
            logger.warning("could not dead-letter a task; it stays pending", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func track(
        _ envelope: TaskEnvelope, _ state: TaskStateStore.State, result: String? = nil, error: String? = nil
    ) async {
        guard envelope.resultTTL != nil else { return }
        try? await TaskStateStore(redis: redis, keys: keys).mark(envelope, state: state, result: result, error: error)
    }

    /// The task-end line: DESIGN.md's operator interface fixes its keys.
    private func finish(
        name: String, queue: String, envelope: TaskEnvelope?, outcome: TaskOutcome, start: ContinuousClock.Instant,
        error: String?
    ) {
        let seconds = (ContinuousClock.now - start).inSeconds
        stats.end(task: name, outcome: outcome, seconds: seconds)
        TaskEndLine.log(
            logger, name: name, queue: queue, envelope: envelope, outcome: outcome, seconds: seconds, error: error)
    }

    /// Runs `operation`, cancelling it when `limit` passes and waiting until it has stopped (so
    /// its slot is never freed while it still runs); then throws time limit exceeded.
    static func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        // Not withDeadline: a task's own DeadlineExceeded (a probe of its own) is not its time limit.
        let (result, late) = await cancellingAtDeadline(limit, operation: operation)
        if late { throw TaskError(.timeLimitExceeded, detail: "ran longer than \(limit)") }
        return try result.get()
    }
}
