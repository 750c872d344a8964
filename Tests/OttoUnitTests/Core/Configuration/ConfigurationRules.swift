import Configuration

@testable import OttoCore
@testable import OttoProcessKit

/// Helpers for the per-concern configuration tests: a reader over a literal environment, and
/// the variables one concern's `init(config:)` refuses.
enum ConfigurationRules {
    static func reader(_ environment: [String: String]) -> ConfigReader {
        ConfigurationSource.reader(environment: environment)
    }

    /// The variables named by the problems `read` throws (empty when it succeeds).
    static func refused<T>(
        _ environment: [String: String], _ read: (ConfigReader) throws(ConfigurationProblems) -> T
    ) -> [String] {
        do {
            _ = try read(reader(environment))
            return []
        } catch {
            return error.variables
        }
    }

    /// The messages of the problems `read` throws.
    static func messages<T>(
        _ environment: [String: String], _ read: (ConfigReader) throws(ConfigurationProblems) -> T
    ) -> [String] {
        do {
            _ = try read(reader(environment))
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }
}
