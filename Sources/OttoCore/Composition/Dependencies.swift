import Logging
import OttoPostgres
import OttoProcessKit
import OttoRedis
import OttoSupport
import OttoTasks
import ServiceLifecycle

/// The clients a process builds from its configuration: PostgreSQL and Redis when configured.
public struct Dependencies: Sendable {
    public let postgres: PostgresPool?
    /// A second pool for the work a process runs beside its requests (the API's in-process
    /// tasks and webhook sweep), so that work never holds the connections requests need; nil
    /// when that work shares `postgres` (the worker, tests that build their own).
    public let taskPostgres: PostgresPool?
    public let redis: RedisClient?
    public let keys: RedisKeys

    /// Builds the clients a process's configuration names, without connecting (both connect lazily).
    public init(
        configuration: some ProcessConfiguration, logger: Logger, postgresPoolSize: Int = 10, taskPoolSize: Int? = nil
    ) {
        self.init(
            databaseURL: configuration.databaseURL, redis: configuration.redis, logger: logger,
            postgresPoolSize: postgresPoolSize, taskPoolSize: taskPoolSize)
    }

    /// Builds a PostgreSQL pool when `databaseURL` is set (and a second one of `taskPoolSize`
    /// connections for background work when that is given) and a Redis client when `redis`
    /// names an endpoint, without connecting.
    public init(
        databaseURL: Secret?, redis: RedisConfiguration, logger: Logger, postgresPoolSize: Int = 10,
        taskPoolSize: Int? = nil
    ) {
        self.postgres = databaseURL.map {
            PostgresPool(
                configuration: PostgresConfiguration(url: $0.value, poolSize: postgresPoolSize),
                logger: logger)
        }
        self.taskPostgres = databaseURL.flatMap { url in
            taskPoolSize.map {
                PostgresPool(
                    configuration: PostgresConfiguration(url: url.value, poolSize: $0, applicationName: "otto-tasks"),
                    logger: logger)
            }
        }
        self.redis = redis.endpoint.map { RedisClient(endpoint: $0, logger: logger) }
        self.keys = RedisKeys(prefix: redis.keyPrefix)
    }

    /// The API's request pool on this machine: two connections per core, at least 4. Requests
    /// hold a connection for a round trip or two (statements are pipelined), so more connections
    /// than that only add PostgreSQL backends competing for the same cores.
    public static var requestPoolSize: Int { max(4, 2 * ConfigurationSource.coreCount) }

    /// Where background work takes its connections: `taskPostgres`, else `postgres`.
    public var backgroundPostgres: PostgresPool? { taskPostgres ?? postgres }

    /// Builds from explicit parts (tests).
    public init(postgres: PostgresPool?, redis: RedisClient?, keys: RedisKeys, taskPostgres: PostgresPool? = nil) {
        self.postgres = postgres
        self.taskPostgres = taskPostgres
        self.redis = redis
        self.keys = keys
    }

    /// The clients as Services, for the front of a process's ServiceGroup (they then stop last).
    public var services: [any Service] {
        var services: [any Service] = []
        if let postgres { services.append(postgres) }
        if let taskPostgres { services.append(taskPostgres) }
        if let redis { services.append(redis) }
        return services
    }

    /// Closes every connection (for commands that run without a ServiceGroup).
    public func shutdown() async {
        await postgres?.shutdown()
        await taskPostgres?.shutdown()
        await redis?.close()
    }
}
