import ArgumentParser
import OttoCore

/// The API's configuration for a subcommand: every problem on stderr and exit 78 when invalid.
enum APIConfiguration {
    static func loadOrExit() throws -> OttoConfiguration {
        do {
            return try OttoConfiguration.load(for: .api)
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode(ConfigurationError.exitCode)
        }
    }
}
