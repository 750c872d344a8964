import Configuration
import OttoCalls
import OttoProcessKit
import OttoRedis
import OttoTasks

/// What otto-worker's operator tools read (`enqueue`, `inspect`, `dead`, `workflow`): Redis,
/// required, and its key prefix, whatever `ENABLE_CELERY` says; PostgreSQL when `DATABASE_URL` is
/// set (the pipeline's workflows); the pipeline's limits (what `inspect` compares usage with); logs are always text (the output is for a person
/// or one JSON document).
public struct OperatorConfiguration: Sendable {
    /// `APP_ENV` when valid, development otherwise (the tools apply no strict rule).
    public var environment: AppEnvironment
    public var logging: LoggingConfiguration
    public var redis: RedisConfiguration
    /// The Redis the tools talk to.
    public var endpoint: RedisEndpoint
    /// `DATABASE_URL` when set: where the pipeline's workflows are.
    public var database: DatabaseConfiguration?
    /// The pipeline's provider limits and per-tenant concurrency as the workers read them.
    public var pipeline: PipelineConfiguration

    /// Reads the tools' keys: `LOG_LEVEL`, `LOG_FORMAT` (validated, then text), `REDIS_KEY_PREFIX`
    /// and `REDIS_URL` or `UPSTASH_REDIS_URL` (required); `DATABASE_URL` (optional, checked when
    /// set); the pipeline's `*_CONCURRENCY`, `*_RATE_LIMIT` and `PIPELINE_*` keys.
    public init(config: ConfigReader) throws(ConfigurationError) {
        var problems: [ConfigurationError.Problem] = []
        let environment =
            AppEnvironment(rawValue: ConfigValues(config).raw("APP_ENV")?.lowercased() ?? "") ?? .development
        var logging = ConfigurationProblems.collect(into: &problems, fallback: LoggingConfiguration()) {
            () throws(ConfigurationProblems) in try LoggingConfiguration(config: config, environment: environment)
        }
        logging.format = .text
        let redis = ConfigurationProblems.collect(into: &problems, fallback: RedisConfiguration()) {
            () throws(ConfigurationProblems) in
            try RedisConfiguration(config: config, use: .required(because: "by the operator tools"))
        }
        let database: DatabaseConfiguration? =
            ConfigValues(config).raw("DATABASE_URL") == nil
            ? nil
            : ConfigurationProblems.collect(into: &problems, fallback: nil) { () throws(ConfigurationProblems) in
                try DatabaseConfiguration(config: config, requiredBecause: "by the operator tools")
            }
        let pipeline = ConfigurationProblems.collect(into: &problems, fallback: PipelineConfiguration()) {
            () throws(ConfigurationProblems) in try PipelineConfiguration(config: config)
        }
        guard problems.isEmpty, let endpoint = redis.endpoint else {
            throw ConfigurationError(process: .worker, environment: environment.rawValue, problems: problems)
        }
        self.environment = environment
        self.logging = logging
        self.redis = redis
        self.endpoint = endpoint
        self.database = database
        self.pipeline = pipeline
    }

    /// Reads the configuration from `environment` (the process environment by default).
    public static func load(
        environment: [String: String] = ConfigurationSource.processEnvironment()
    ) throws(ConfigurationError) -> OperatorConfiguration {
        try OperatorConfiguration(config: ConfigurationSource.reader(environment: environment))
    }
}
