import Configuration

/// Reads one process's configuration: `APP_ENV` first (every concern's rules may depend on it),
/// then each concern in turn, gathering their problems so the process fails once with all of them.
package struct ProcessConfigurationReader {
    package let config: ConfigReader
    /// `APP_ENV`; production when the value is not one of the four (validate as strictly as possible when unsure).
    package let environment: AppEnvironment
    /// `APP_ENV` as given (lowercased), for the error's header.
    package let environmentText: String
    package private(set) var problems: [ConfigurationError.Problem] = []

    package init(config: ConfigReader) {
        self.config = config
        var values = ConfigValues(config)
        let text = (values.raw("APP_ENV") ?? "development").lowercased()
        if let parsed = AppEnvironment(rawValue: text) {
            environment = parsed
        } else {
            values.problem("APP_ENV", "must be one of development, test, staging, production")
            environment = .production
        }
        environmentText = text
        problems = values.problems
    }

    /// Reads one concern; nil (and its problems kept) when it has any.
    package mutating func read<T>(_ concern: (ConfigReader) throws(ConfigurationProblems) -> T) -> T? {
        do {
            return try concern(config)
        } catch {
            problems += error.problems
            return nil
        }
    }

    /// Reads keys the process type owns itself (its flags).
    package mutating func values<T>(_ body: (inout ConfigValues) -> T) -> T {
        var values = ConfigValues(config)
        let result = body(&values)
        problems += values.problems
        return result
    }

    /// The error naming every problem found (call when a concern came back nil or `problems` is not empty).
    package func error(for process: OttoProcess) -> ConfigurationError {
        ConfigurationError(process: process, environment: environmentText, problems: problems)
    }
}
