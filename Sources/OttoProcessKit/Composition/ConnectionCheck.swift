import Logging
import OttoRedis

/// What `check-config --connect` proves for one process: the dependencies its configuration
/// names answer. Each ``ProcessConfiguration`` builds its own (otto-beat's checks Redis; the
/// API's and the worker's, in OttoCore, add PostgreSQL and its role's warnings).
public struct ConnectionCheck: Sendable {
    /// One check per configured dependency.
    public var checks: [DependencyCheck]
    /// Warnings once the checks ran, given the names of those that did not answer.
    public var warnings: @Sendable (_ failed: [String]) async -> [String]
    /// Closes the clients the checks opened.
    public var close: @Sendable () async -> Void

    public init(
        checks: [DependencyCheck], warnings: @escaping @Sendable ([String]) async -> [String] = { _ in [] },
        close: @escaping @Sendable () async -> Void
    ) {
        self.checks = checks
        self.warnings = warnings
        self.close = close
    }

    /// Redis alone, when `redis` names an endpoint.
    public static func redis(_ redis: RedisConfiguration, logger: Logger) -> ConnectionCheck {
        let client = redis.endpoint.map { RedisClient(endpoint: $0, logger: logger) }
        return ConnectionCheck(checks: client.map { [.redis($0)] } ?? [], close: { await client?.close() })
    }
}
