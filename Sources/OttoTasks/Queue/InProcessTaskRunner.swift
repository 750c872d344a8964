import Logging
import OttoSupport
import ServiceLifecycle

/// Runs tasks inside the API process (`ENABLE_CELERY=false`, the documented rollback): the same
/// registry, arguments, retry policies and task-end log line as the worker, without Redis.
///
/// It is a `Service` of the API's ServiceGroup:
/// - at most `concurrency` tasks run at once (4 by default, so at least 6 of the pool's 10
///   PostgreSQL connections stay free for the webhook inserts that requests make); the rest wait
///   in memory, ordered by due time, at most `capacity` of them;
/// - on graceful shutdown (after the HTTP server drained its requests) it stops accepting, gives
///   running tasks `shutdownGrace` to finish, then cancels them.
///
/// What it cannot give is durability: tasks waiting or running when the process dies are gone.
/// Webhook events are in PostgreSQL before anything is enqueued, and the API's own
/// ``WebhookSweepService`` runs again every event not processed within the deadline, so a
/// kill -9 or a deploy delays an event but never loses it.
public struct InProcessTaskRunner: TaskEnqueuer, Service {
    /// Tasks run at once by default.
    public static let defaultConcurrency = 4
    /// Tasks that may wait at once by default.
    public static let defaultCapacity = 10_000

    let registry: TaskRegistry
    let logger: Logger
    let concurrency: Int
    let shutdownGrace: Duration
    let databaseRetrySpan: Duration
    let deferralSpan: Duration
    private let queue: InProcessTaskQueue

    public init(
        registry: TaskRegistry, logger: Logger,
        concurrency: Int = InProcessTaskRunner.defaultConcurrency,
        shutdownGrace: Duration = WorkerSettings.defaultShutdownGrace,
        databaseRetrySpan: Duration = WorkerSettings.defaultDatabaseRetrySpan,
        capacity: Int = InProcessTaskRunner.defaultCapacity,
        deferralSpan: Duration = WorkerSettings.defaultDeferralSpan
    ) {
        self.registry = registry
        self.logger = logger
        self.concurrency = max(1, concurrency)
        self.shutdownGrace = shutdownGrace
        self.databaseRetrySpan = databaseRetrySpan
        self.deferralSpan = deferralSpan
        self.queue = InProcessTaskQueue(capacity: capacity)
    }

    public func enqueue(name: String, arguments: String, options: EnqueueOptions) async throws -> EnqueueResult {
        guard registry.entry(named: name) != nil else { throw TaskError(.unknownTask, detail: name) }
        var envelope = try TaskEnvelope.first(name: name, arguments: arguments, options: options, registry: registry)
        envelope.resultTTL = nil  // results are kept in Redis, which this mode does without
        try queue.push(envelope)
        return EnqueueResult(id: envelope.id, queue: envelope.queue, created: true)
    }

    /// Tasks waiting to start (for logs and tests).
    public var waiting: Int { queue.waiting }
    /// Tasks running now.
    public var running: Int { queue.running }

    public func run() async throws {
        logger.info(
            "in-process task runner ready",
            metadata: [
                "concurrency": .stringConvertible(concurrency),
                "shutdown_grace_s": .stringConvertible(shutdownGrace.inSeconds),
            ])
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                while !Task.isCancelled {
                    switch queue.next(concurrency: concurrency, now: UnixTime.now()) {
                    case .run(let envelope):
                        group.addTask { await execute(envelope) }
                    case .wait(let seconds):
                        await queue.wait(seconds: seconds)
                    case .stop:
                        return
                    }
                }
            } onGracefulShutdown: {
                queue.beginShutdown()
            }
            await drain(group: &group)
        }
        logger.info("in-process task runner stopped")
    }

    /// Stops accepting, lets running tasks finish within the grace period, cancels the rest.
    private func drain(group: inout DiscardingTaskGroup) async {
        let unstarted = queue.close()
        if !unstarted.isEmpty {
            logger.notice(
                "in-process tasks not started before shutdown are dropped; the webhook sweep runs their events again",
                metadata: ["count": .stringConvertible(unstarted.count)])
        }
        let deadline = ContinuousClock.now + shutdownGrace
        if queue.running > 0 {
            logger.info(
                "waiting for in-process tasks to finish",
                metadata: [
                    "running": .stringConvertible(queue.running),
                    "grace_s": .stringConvertible(shutdownGrace.inSeconds),
                ])
        }
        while queue.running > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
            await queue.wait(seconds: (deadline - ContinuousClock.now).inSeconds)
        }
        if queue.running > 0 {
            logger.warning(
                "grace period over; cancelling in-process tasks (the webhook sweep runs their events again)",
                metadata: ["running": .stringConvertible(queue.running)])
            group.cancelAll()
            await queue.waitUntilIdle()
        }
    }

    /// Runs one attempt and decides what follows: done, a retry in memory, or dead.
    private func execute(_ envelope: TaskEnvelope) async {
        defer { queue.finished() }
        let start = ContinuousClock.now
        // The worker's task metadata, so a task logs the same keys wherever it runs (`TaskContext`
        // promises `queue` and `attempt` too, which this copy of it had left out).
        let taskLogger = TaskExecutor.logger(logger, for: envelope)
        let end = { (outcome: TaskOutcome, error: String?) in
            TaskEndLine.log(
                logger, name: envelope.name, queue: envelope.queue, envelope: envelope, outcome: outcome,
                seconds: (ContinuousClock.now - start).inSeconds, error: error, extra: ["mode": "in-process"])
        }
        guard let entry = registry.entry(named: envelope.name) else {
            end(.dead, "unknown task")
            return
        }
        guard let run = entry.run else {
            end(.dead, "\(envelope.name) cannot run here: \(registry.unavailable[envelope.name] ?? "unavailable")")
            return
        }
        let plan = TaskExecutor.plan(
            envelope, policy: entry.retryPolicy, now: UnixTime.now(), outageSpan: databaseRetrySpan,
            deferralSpan: deferralSpan)
        let context = TaskContext(
            envelope: envelope, logger: taskLogger, willRetryOnFailure: plan.willRetry, canDefer: plan.canDefer)
        do {
            _ = try await TaskExecutor.withTimeLimit(.milliseconds(Int64(envelope.timeLimit * 1000))) {
                try await run(envelope.arguments, context)
            }
            end(.succeeded, nil)
        } catch _ where Task.isCancelled {
            end(.failed, "interrupted by shutdown")
        } catch let deferral as TaskDeferral where plan.canDefer {
            // As in the worker: rescheduled in memory with the attempt unchanged.
            if queue.requeue(TaskExecutor.deferred(envelope, deferral, now: UnixTime.now())) {
                end(.retrying, deferral.reason)
            } else {
                end(.failed, deferral.reason + " (shutting down: not retried here)")
            }
        } catch {
            let message = "\(error)"
            let now = UnixTime.now()
            let firstFailure = envelope.firstFailedAt ?? now
            let permanent = (error as? TaskError)?.code == .invalidArguments
            guard
                !permanent,
                entry.retryPolicy.retries(
                    afterFailedAttempt: envelope.attempt, maxAttempts: envelope.maxAttempts,
                    firstFailureAt: firstFailure, now: now, outageSpan: databaseRetrySpan)
            else {
                end(.dead, message)
                return
            }
            var next = envelope
            next.attempt += 1
            next.lastError = message
            next.firstFailedAt = firstFailure
            next.dueAt = ((now + entry.retryPolicy.delay(afterAttempt: envelope.attempt)) * 1000).rounded() / 1000
            if queue.requeue(next) {
                end(.retrying, message)
            } else {
                end(.failed, message + " (shutting down: not retried here)")
            }
        }
    }
}
