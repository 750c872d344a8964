import Logging
import OttoPostgres
import OttoSupport
import OttoTasks
import ServiceLifecycle

/// The webhook sweep run by the API itself when there is no beat (`ENABLE_CELERY=false`): at
/// start, then every `interval`, it enqueues on the in-process runner every stored event that
/// was never enqueued or is still unprocessed `deadline` after it was last enqueued (see
/// ``WebhookSweepTask``). So an API restarted after a kill -9 processes what its predecessor
/// had accepted, and several API machines share the work without doubling it (each event is
/// taken in PostgreSQL before it is enqueued).
///
/// It takes at most `batchSize` events at a time and the next batch only once the runner has
/// started most of them: an event taken is marked enqueued, and one that then waited in this
/// process's memory would, if the process died, wait a whole deadline more. A full batch is
/// followed by the next at once, so a large backlog still drains at the runner's pace.
public struct WebhookSweepService: Service {
    /// Events taken per sweep.
    public static let batchSize = 100

    let pool: PostgresPool
    let runner: InProcessTaskRunner
    let deadline: Duration
    let interval: Duration
    let logger: Logger

    public init(pool: PostgresPool, runner: InProcessTaskRunner, deadline: Duration, logger: Logger) {
        self.pool = pool
        self.runner = runner
        self.deadline = deadline
        self.interval = Self.interval(deadline: deadline)
        self.logger = logger
    }

    /// How often the sweep runs for a deadline (the beat's schedule of it): a fifth of it, at
    /// most a minute and at least a second apart.
    public static func interval(deadline: Duration) -> Duration {
        MaintenanceTasks.WebhookSweep.interval(deadline: deadline)
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
            var full = false
            do {
                let output = try await WebhookSweepTask.sweep(
                    pool: pool, target: runner,
                    arguments: .init(minAgeSeconds: min(30, seconds), deadlineSeconds: seconds, limit: Self.batchSize),
                    logger: logger)
                full = output.enqueued == Self.batchSize
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
            if full {
                // More may be due: take the next batch once the runner has started most of this one.
                while runner.waiting > Self.batchSize / 4 && !Task.isShuttingDownGracefully && !Task.isCancelled {
                    await sleepUnlessShuttingDown(for: .milliseconds(250))
                }
            } else {
                await sleepUnlessShuttingDown(for: interval)
            }
        }
    }
}
