import Configuration
import OttoProcessKit
import OttoSupport

/// What otto-api reads (DESIGN.md's configuration table, the `api` rows).
public struct APIProcessConfiguration: ProcessConfiguration {
    public static let process = OttoProcess.api

    public var environment: AppEnvironment
    public var logging: LoggingConfiguration
    /// `ENABLE_CELERY`: enqueue to Redis (true) or run tasks in this process (false).
    public var enableCelery: Bool
    public var http: HTTPServerConfiguration
    public var database: DatabaseConfiguration
    /// Required when `ENABLE_CELERY=true`; the rate limits and the fleet use it when set.
    public var redis: RedisConfiguration
    public var clerk: ClerkConfiguration
    public var webhooks: WebhookVerificationConfiguration
    public var cors: CORSConfiguration
    public var rateLimits: RateLimitConfiguration
    /// The in-process runner and sweep; nil when `ENABLE_CELERY=true` (the worker and beat run them).
    public var inProcessTasks: InProcessTasksConfiguration?

    public var databaseURL: Secret? { database.url }

    public init(
        environment: AppEnvironment, logging: LoggingConfiguration = LoggingConfiguration(),
        enableCelery: Bool = false, http: HTTPServerConfiguration = HTTPServerConfiguration(),
        database: DatabaseConfiguration, redis: RedisConfiguration = RedisConfiguration(),
        clerk: ClerkConfiguration = ClerkConfiguration(),
        webhooks: WebhookVerificationConfiguration = WebhookVerificationConfiguration(),
        cors: CORSConfiguration = CORSConfiguration(), rateLimits: RateLimitConfiguration = RateLimitConfiguration(),
        inProcessTasks: InProcessTasksConfiguration? = InProcessTasksConfiguration()
    ) {
        self.environment = environment
        self.logging = logging
        self.enableCelery = enableCelery
        self.http = http
        self.database = database
        self.redis = redis
        self.clerk = clerk
        self.webhooks = webhooks
        self.cors = cors
        self.rateLimits = rateLimits
        self.inProcessTasks = inProcessTasks
    }

    /// Reads every key otto-api uses: `APP_ENV`, logging, `ENABLE_CELERY`, the HTTP server,
    /// `DATABASE_URL` (always required), Redis (required when `ENABLE_CELERY=true`), Clerk, the
    /// webhook keys, CORS, the rate limits and, with `ENABLE_CELERY=false`, the in-process tasks.
    public init(config: ConfigReader) throws(ConfigurationError) {
        var reader = ProcessConfigurationReader(config: config)
        let environment = reader.environment
        let logging = reader.read { config throws(ConfigurationProblems) in
            try LoggingConfiguration(config: config, environment: environment)
        }
        let enableCelery = reader.values { $0.bool("ENABLE_CELERY", default: false) }
        let http = reader.read(HTTPServerConfiguration.init(config:))
        let database = reader.read { config throws(ConfigurationProblems) in
            try DatabaseConfiguration(config: config, requiredBecause: "by otto-api")
        }
        let redis = reader.read { config throws(ConfigurationProblems) in
            try RedisConfiguration(
                config: config, use: enableCelery ? .required(because: "when ENABLE_CELERY=true") : .optional)
        }
        let clerk = reader.read { config throws(ConfigurationProblems) in
            try ClerkConfiguration(config: config, environment: environment)
        }
        let webhooks = reader.read { config throws(ConfigurationProblems) in
            try WebhookVerificationConfiguration(config: config, environment: environment)
        }
        let cors = reader.read { config throws(ConfigurationProblems) in
            try CORSConfiguration(config: config, environment: environment)
        }
        let rateLimits = reader.read(RateLimitConfiguration.init(config:))
        // The rollback mode: this process runs the tasks, their retries and the sweep.
        let inProcessTasks = enableCelery ? nil : reader.read(InProcessTasksConfiguration.init(config:))
        guard reader.problems.isEmpty, let logging, let http, let database, let redis, let clerk, let webhooks,
            let cors, let rateLimits
        else { throw reader.error(for: Self.process) }
        self.init(
            environment: environment, logging: logging, enableCelery: enableCelery, http: http, database: database,
            redis: redis, clerk: clerk, webhooks: webhooks, cors: cors, rateLimits: rateLimits,
            inProcessTasks: inProcessTasks)
    }
}
