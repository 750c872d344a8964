import Logging
import OttoRedis
import OttoSupport
import OttoTasks

#if canImport(Glibc)
    import Glibc
#endif

/// What `check-config` does, for all three binaries (``CheckConfigCommand``).
///
/// Without `connect` it validates and never opens a socket; with `connect` it also proves that
/// each configured dependency answers, through the same ``DependencyCheck``s `/ready` uses.
/// Exit statuses are ``ExitStatus``'s: 0, 78 for invalid configuration, 69 when a dependency did
/// not answer.
public enum ConfigCheck {
    /// Runs the check for `Configuration`'s process and returns the exit status; prints a
    /// summary to stdout and problems to stderr.
    public static func run<Configuration: ProcessConfiguration>(
        _: Configuration.Type, connect: Bool,
        environment: [String: String] = ConfigurationSource.processEnvironment()
    ) async -> Int32 {
        let process = Configuration.process
        let configuration: Configuration
        do {
            configuration = try Configuration.load(environment: environment)
        } catch {
            StandardError.write("\(error)\n")
            return ExitStatus.configuration
        }
        print("otto-\(process.rawValue): configuration valid (APP_ENV=\(configuration.environment.rawValue))")
        if let idle = configuration.idleNote { print("  note: \(idle)") }
        guard connect else { return 0 }

        var logger = Logger(label: "otto.\(process.rawValue).check-config")
        logger.logLevel = .critical
        let connection = configuration.connectionCheck(logger: logger)
        let results = await DependencyCheck.runAll(connection.checks, timeout: .seconds(5))
        var failed: [String] = []
        for result in results {
            if result.healthy {
                print("  \(result.name): ok (\(Int(result.latencySeconds * 1000)) ms)")
            } else {
                failed.append(result.name)
                print("  \(result.name): did not answer (\(result.reason ?? "unavailable"))")
            }
        }
        for warning in await connection.warnings(failed) { print("  warning: \(warning)") }
        await connection.close()
        if failed.isEmpty { return 0 }
        StandardError.write("otto-\(process.rawValue): unavailable: \(failed.joined(separator: ", "))\n")
        return ExitStatus.unavailable
    }
}
