import Configuration
import Logging
import OttoSupport

/// The configuration of one of Otto's three processes (api, worker, beat): what that process
/// reads and nothing else, validated at once with every problem in one ``ConfigurationError``.
public protocol ProcessConfiguration: Sendable {
    /// The process this configuration is read for.
    static var process: OttoProcess { get }
    /// Reads and validates the process's keys; throws one error naming every problem.
    init(config: ConfigReader) throws(ConfigurationError)
    /// `APP_ENV`.
    var environment: AppEnvironment { get }
    var logging: LoggingConfiguration { get }
    /// `DATABASE_URL` when this process uses PostgreSQL.
    var databaseURL: Secret? { get }
    var redis: RedisConfiguration { get }
    /// What the process will do instead of its work when its flag is off (said by `check-config`), or nil.
    var idleNote: String? { get }
    /// What `check-config --connect` proves: each dependency this configuration names answers.
    func connectionCheck(logger: Logger) -> ConnectionCheck
}

extension ProcessConfiguration {
    /// Reads the configuration from `environment` (the process environment by default).
    public static func load(
        environment: [String: String] = ConfigurationSource.processEnvironment()
    ) throws(ConfigurationError) -> Self {
        try Self(config: ConfigurationSource.reader(environment: environment))
    }

    public var idleNote: String? { nil }
}
