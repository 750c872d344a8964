import Logging
import ServiceLifecycle

/// Runs `attempt` until it succeeds, with backoff from 100 ms doubling to 5 s while Redis is
/// unreachable, warning once and saying when it is reachable again. False when shutdown or
/// cancellation came first.
public func retryWhileRedisIsUnreachable(logger: Logger, _ attempt: () async throws -> Void) async -> Bool {
    var delay = Duration.milliseconds(100)
    var warned = false
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        do {
            try await attempt()
            if warned { logger.info("redis reachable") }
            return true
        } catch {
            if !warned {
                logger.warning("redis not reachable; retrying with backoff", metadata: ["error": "\(error)"])
                warned = true
            }
            await sleepUnlessShuttingDown(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }
    return false
}
