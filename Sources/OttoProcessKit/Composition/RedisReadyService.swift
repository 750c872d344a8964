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
        await RedisReadyService.waitForRedis(redis, logger: logger)
        if !Task.isShuttingDownGracefully { logger.info("\(message)") }
        try? await gracefulShutdown()
    }

    /// Pings until Redis answers or shutdown begins; warns once, not per attempt.
    public static func waitForRedis(_ redis: RedisClient, logger: Logger) async {
        _ = await retryWhileRedisIsUnreachable(logger: logger) { try await redis.ping() }
    }
}
