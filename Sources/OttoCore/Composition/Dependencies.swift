import Logging
import OttoPostgres
import OttoRedis
import OttoSupport
import OttoTasks
import ServiceLifecycle

/// The clients a process builds from its configuration: PostgreSQL and Redis when configured.
public struct Dependencies: Sendable {
    public let postgres: PostgresPool?
    public let redis: RedisClient?
    public let keys: RedisKeys

    /// Builds the clients a process's configuration names, without connecting (both connect lazily).
    public init(configuration: some ProcessConfiguration, logger: Logger, postgresPoolSize: Int = 10) {
        self.init(
            databaseURL: configuration.databaseURL, redis: configuration.redis, logger: logger,
            postgresPoolSize: postgresPoolSize)
    }

    /// Builds a PostgreSQL pool when `databaseURL` is set and a Redis client when `redis` names an
    /// endpoint, without connecting.
    public init(databaseURL: Secret?, redis: RedisConfiguration, logger: Logger, postgresPoolSize: Int = 10) {
        self.postgres = databaseURL.map {
            PostgresPool(
                configuration: PostgresConfiguration(url: $0.value, poolSize: postgresPoolSize),
                logger: logger)
        }
        self.redis = redis.endpoint.map { RedisClient(endpoint: $0, logger: logger) }
        self.keys = RedisKeys(prefix: redis.keyPrefix)
    }

    /// Builds from explicit parts (tests).
    public init(postgres: PostgresPool?, redis: RedisClient?, keys: RedisKeys) {
        self.postgres = postgres
        self.redis = redis
        self.keys = keys
    }

    /// The clients as Services, for the front of a process's ServiceGroup (they then stop last).
    public var services: [any Service] {
        var services: [any Service] = []
        if let postgres { services.append(postgres) }
        if let redis { services.append(redis) }
        return services
    }

    /// Closes every connection (for commands that run without a ServiceGroup).
    public func shutdown() async {
        await postgres?.shutdown()
        await redis?.close()
    }
}
