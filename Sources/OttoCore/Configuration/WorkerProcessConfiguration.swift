import Configuration
import OttoCalls
import OttoProcessKit
import OttoProviders
import OttoSupport
import OttoTasks

/// What otto-worker reads (DESIGN.md's configuration table, the `worker` rows). With
/// `ENABLE_CELERY` off it reads nothing else and idles: the documented rollback must not crash-loop.
public struct WorkerProcessConfiguration: ProcessConfiguration {
    public static let process = OttoProcess.worker

    public var environment: AppEnvironment
    public var logging: LoggingConfiguration
    /// `ENABLE_CELERY`: the worker runs tasks only when true.
    public var enableCelery: Bool
    /// Required when `ENABLE_CELERY=true`; only the key prefix is read otherwise.
    public var redis: RedisConfiguration
    /// Required when `ENABLE_CELERY=true`; nil otherwise.
    public var database: DatabaseConfiguration?
    /// nil when `ENABLE_CELERY` is off.
    public var providers: ProviderCredentials?
    /// The provider clients' URLs, models, keys and timeout; nil when `ENABLE_CELERY` is off.
    public var providerClients: ProviderConfiguration?
    /// nil when `ENABLE_CELERY` is off.
    public var worker: WorkerConfiguration?
    /// The pipeline's provider limits and per-tenant fairness; nil when `ENABLE_CELERY` is off.
    public var pipeline: PipelineConfiguration?

    public var databaseURL: Secret? { database?.url }

    public var idleNote: String? {
        enableCelery
            ? nil : "ENABLE_CELERY is not true: this worker will idle until stopped (tasks run inside otto-api)"
    }

    public init(
        environment: AppEnvironment = .development, logging: LoggingConfiguration = LoggingConfiguration(),
        enableCelery: Bool = false, redis: RedisConfiguration = RedisConfiguration(),
        database: DatabaseConfiguration? = nil, providers: ProviderCredentials? = nil,
        providerClients: ProviderConfiguration? = nil, worker: WorkerConfiguration? = nil,
        pipeline: PipelineConfiguration? = nil
    ) {
        self.environment = environment
        self.logging = logging
        self.enableCelery = enableCelery
        self.redis = redis
        self.database = database
        self.providers = providers
        self.providerClients = providerClients
        self.worker = worker
        self.pipeline = pipeline
    }

    /// Reads `APP_ENV`, logging, `ENABLE_CELERY`, the key prefix and, when `ENABLE_CELERY=true`,
    /// `DATABASE_URL`, Redis, the providers' keys, URLs and models, and the worker's knobs.
    public init(config: ConfigReader) throws(ConfigurationError) {
        var reader = ProcessConfigurationReader(config: config)
        let environment = reader.environment
        let logging = reader.read { config throws(ConfigurationProblems) in
            try LoggingConfiguration(config: config, environment: environment)
        }
        let enableCelery = reader.values { $0.bool("ENABLE_CELERY", default: false) }
        guard enableCelery else {
            let redis = reader.read { config throws(ConfigurationProblems) in
                try RedisConfiguration(config: config, use: .keyPrefixOnly)
            }
            guard reader.problems.isEmpty, let logging, let redis else { throw reader.error(for: Self.process) }
            self.init(environment: environment, logging: logging, redis: redis)
            return
        }
        let reason = "when ENABLE_CELERY=true"
        let database = reader.read { config throws(ConfigurationProblems) in
            try DatabaseConfiguration(config: config, requiredBecause: environment.strictRequirement ?? reason)
        }
        let redis = reader.read { config throws(ConfigurationProblems) in
            try RedisConfiguration(config: config, use: .required(because: reason))
        }
        let providers = reader.read { config throws(ConfigurationProblems) in
            try ProviderCredentials(config: config, environment: environment)
        }
        let providerClients = reader.read { config throws(ConfigurationProblems) in
            try ProviderConfiguration(
                config: config, environment: environment, credentials: providers ?? ProviderCredentials())
        }
        let worker = reader.read(WorkerConfiguration.init(config:))
        let pipeline = reader.read(PipelineConfiguration.init(config:))
        guard reader.problems.isEmpty, let logging, let database, let redis, let providers, let providerClients,
            let worker, let pipeline
        else {
            throw reader.error(for: Self.process)
        }
        self.init(
            environment: environment, logging: logging, enableCelery: true, redis: redis, database: database,
            providers: providers, providerClients: providerClients, worker: worker, pipeline: pipeline)
    }
}
