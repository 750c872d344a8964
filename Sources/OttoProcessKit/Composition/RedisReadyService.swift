import Logging
import OttoRedis
import OttoTasks
import ServiceLifecycle

/// Connects to Redis at start (retrying with backoff, never crashing), logs that the process is
/// ready, then waits for shutdown.
public struct RedisReadyService: Service {
    let redis: RedisClient
    let logger: Logger
    let message: String

    public init(redis: RedisClient, logger: Logger, message: String) {
        self.redis = redis
        self.logger = logger
        self.message = message
    }

    public func run() async throws {
        try? await RedisReadyService.waitForRedis(redis, logger: logger)
        if !Task.isShuttingDownGracefully { logger.info("\(message)") }
        try? await gracefulShutdown()
    }

    /// Pings until Redis answers or shutdown begins; warns once, not per attempt.
    public static func waitForRedis(_ redis: RedisClient, logger: Logger) async throws {
        var delay = Duration.milliseconds(100)
        var warned = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await redis.ping()
                if warned { logger.info("redis reachable") }
                return
            } catch {
                if !warned {
                    logger.warning("redis not reachable; retrying with backoff", metadata: ["error": "\(error)"])
                    warned = true
                }
                await sleepUnlessShuttingDown(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
