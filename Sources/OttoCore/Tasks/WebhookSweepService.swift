import Logging
import ServiceLifecycle

/// The webhook sweep run by the API itself when there is no beat (`ENABLE_CELERY=false`): at
/// start, then every `interval`, it enqueues on the in-process runner every stored event that
/// was never enqueued or is still unprocessed `deadline` after it was last enqueued (see
/// ``WebhookSweepTask``). So an API restarted after a kill -9 processes what its predecessor
/// had accepted, and several API machines share the work without doubling it (each event is
/// taken in PostgreSQL before it is enqueued).
public struct WebhookSweepService: Service {
    let pool: PostgresPool
    let target: any TaskEnqueuer
    let deadline: Duration
    let interval: Duration
    let logger: Logger

    public init(pool: PostgresPool, target: any TaskEnqueuer, deadline: Duration, logger: Logger) {
        self.pool = pool
        self.target = target
        self.deadline = deadline
        self.interval = Self.interval(deadline: deadline)
        self.logger = logger
    }

    /// How often the sweep runs for a deadline: a fifth of it, at most a minute and at least a
    /// second apart, so an event waits at most the deadline plus a fifth of it.
    public static func interval(deadline: Duration) -> Duration {
        .seconds(min(60, max(1, Int(deadline.inSeconds) / 5)))
    }

    public func run() async throws {
        let seconds = Int(deadline.inSeconds)
        logger.info(
            "webhook sweep running in this process",
            metadata: [
                "deadline_s": .stringConvertible(seconds), "interval_s": .stringConvertible(Int(interval.inSeconds)),
            ])
        var warned = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                _ = try await WebhookSweepTask.sweep(
                    pool: pool, target: target,
                    arguments: .init(minAgeSeconds: min(30, seconds), deadlineSeconds: seconds), logger: logger)
                if warned {
                    logger.info("webhook sweep works again")
                    warned = false
                }
            } catch {
                if !warned {
                    logger.warning(
                        "webhook sweep failed; retrying at the next interval", metadata: ["error": "\(error)"])
                    warned = true
                }
            }
            await sleepUnlessShuttingDown(for: interval)
        }
    }
}
