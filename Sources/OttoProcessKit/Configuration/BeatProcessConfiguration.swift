import Configuration
import Logging
import OttoSupport

/// What otto-beat reads (DESIGN.md's configuration table, the `beat` rows). With
/// `ENABLE_CELERY_BEAT` off it reads nothing else and idles.
public struct BeatProcessConfiguration: ProcessConfiguration {
    public static let process = OttoProcess.beat

    public var environment: AppEnvironment
    public var logging: LoggingConfiguration
    /// `ENABLE_CELERY_BEAT`: the beat schedules only when true.
    public var enableCeleryBeat: Bool
    /// Required when `ENABLE_CELERY_BEAT=true`; only the key prefix is read otherwise.
    public var redis: RedisConfiguration
    /// nil when `ENABLE_CELERY_BEAT` is off.
    public var beat: BeatConfiguration?

    /// The beat never uses PostgreSQL (its tasks run in the worker).
    public var databaseURL: Secret? { nil }

    /// Redis, when configured (the beat uses nothing else).
    public func connectionCheck(logger: Logger) -> ConnectionCheck {
        .redis(redis, logger: logger)
    }

    public var idleNote: String? {
        enableCeleryBeat
            ? nil : "ENABLE_CELERY_BEAT is not true: this beat will idle until stopped (nothing is scheduled)"
    }

    public init(
        environment: AppEnvironment = .development, logging: LoggingConfiguration = LoggingConfiguration(),
        enableCeleryBeat: Bool = false, redis: RedisConfiguration = RedisConfiguration(),
        beat: BeatConfiguration? = nil
    ) {
        self.environment = environment
        self.logging = logging
        self.enableCeleryBeat = enableCeleryBeat
        self.redis = redis
        self.beat = beat
    }

    /// Reads `APP_ENV`, logging, `ENABLE_CELERY_BEAT`, the key prefix and, when
    /// `ENABLE_CELERY_BEAT=true`, Redis and the beat's schedules.
    public init(config: ConfigReader) throws(ConfigurationError) {
        var reader = ProcessConfigurationReader(config: config)
        let environment = reader.environment
        let logging = reader.read { config throws(ConfigurationProblems) in
            try LoggingConfiguration(config: config, environment: environment)
        }
        let enabled = reader.values { $0.bool("ENABLE_CELERY_BEAT", default: false) }
        let redis = reader.read { config throws(ConfigurationProblems) in
            try RedisConfiguration(
                config: config, use: enabled ? .required(because: "when ENABLE_CELERY_BEAT=true") : .keyPrefixOnly)
        }
        let beat = enabled ? reader.read(BeatConfiguration.init(config:)) : nil
        guard reader.problems.isEmpty, let logging, let redis else { throw reader.error(for: Self.process) }
        self.init(environment: environment, logging: logging, enableCeleryBeat: enabled, redis: redis, beat: beat)
    }
}
