import Logging
import OttoTasks
import ServiceLifecycle

/// A service that does nothing until graceful shutdown: a disabled worker or beat stays up
/// (so Fly does not crash-loop it) and says why once.
public struct IdleService: Service {
    let logger: Logger
    let reason: String

    public init(logger: Logger, reason: String) {
        self.logger = logger
        self.reason = reason
    }

    public func run() async throws {
        logger.notice("idle until stopped", metadata: ["reason": .string(reason)])
        try? await gracefulShutdown()
    }
}
