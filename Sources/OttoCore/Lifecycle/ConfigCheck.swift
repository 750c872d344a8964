import Logging
import OttoPostgres
import OttoRedis

#if canImport(Glibc)
    import Glibc
#endif

/// The `check-config` subcommand shared by all three binaries.
///
/// Without `connect` it validates and never opens a socket; with `connect` it also proves that
/// each configured dependency answers. Exit codes follow sysexits.h: 0, 78 (EX_CONFIG) for
/// invalid configuration, 69 (EX_UNAVAILABLE) when a dependency did not answer.
public enum ConfigCheck {
    /// EX_UNAVAILABLE.
    public static let unavailableExitCode: Int32 = 69

    /// Runs the check and returns the exit status; prints a summary to stdout and problems to stderr.
    public static func run(
        process: OttoProcess, connect: Bool, environment: [String: String] = OttoConfiguration.processEnvironment()
    ) async -> Int32 {
        let configuration: OttoConfiguration
        do {
            configuration = try OttoConfiguration.load(for: process, environment: environment)
        } catch {
            StandardError.write("\(error)\n")
            return ConfigurationError.exitCode
        }
        print("otto-\(process.rawValue): configuration valid (APP_ENV=\(configuration.environment.rawValue))")
        if let idle = idleNote(configuration) { print("  note: \(idle)") }
        guard connect else { return 0 }

        var logger = Logger(label: "otto.\(process.rawValue).check-config")
        logger.logLevel = .critical
        let dependencies = Dependencies(configuration: configuration, logger: logger)
        var checks: [DependencyCheck] = []
        if let postgres = dependencies.postgres {
            checks.append(DependencyCheck(name: "database") { try await postgres.ping(timeout: .seconds(3)) })
        }
        if let redis = dependencies.redis {
            checks.append(DependencyCheck(name: "redis") { try await redis.ping() })
        }
        let results = await DependencyCheck.runAll(checks, timeout: .seconds(5))
        var failed: [String] = []
        for result in results {
            if result.healthy {
                print("  \(result.name): ok (\(Int(result.latencySeconds * 1000)) ms)")
            } else {
                failed.append(result.name)
                print("  \(result.name): did not answer (\(result.reason ?? "unavailable"))")
            }
        }
        if let postgres = dependencies.postgres, !failed.contains("database"),
            let privileges = try? await DatabaseRole.privileges(postgres)
        {
            for warning in roleWarnings(privileges) { print("  warning: \(warning)") }
        }
        await dependencies.shutdown()
        if failed.isEmpty { return 0 }
        StandardError.write("otto-\(process.rawValue): unavailable: \(failed.joined(separator: ", "))\n")
        return unavailableExitCode
    }
}

extension ConfigCheck {
    /// What a worker or beat whose flag is off will do when started: idle, and why.
    static func idleNote(_ configuration: OttoConfiguration) -> String? {
        switch configuration.process {
        case .worker where !configuration.enableCelery:
            "ENABLE_CELERY is not true: this worker will idle until stopped (tasks run inside otto-api)"
        case .beat where !configuration.enableCeleryBeat:
            "ENABLE_CELERY_BEAT is not true: this beat will idle until stopped (nothing is scheduled)"
        default: nil
        }
    }

    /// Warnings about a database role that row-level security does not bind (they never change
    /// the exit status).
    static func roleWarnings(_ privileges: DatabaseRole.Privileges) -> [String] {
        var warnings: [String] = []
        if privileges.superuser {
            warnings.append(
                "the database user is a superuser; row-level security does not bind it. Use a dedicated owner role.")
        }
        if privileges.bypassesRLS {
            warnings.append(
                "the database user has BYPASSRLS; row-level security does not bind it. Use a role without it (ALTER ROLE … NOBYPASSRLS)."
            )
        }
        return warnings
    }
}

/// Writes to standard error without Foundation.
public enum StandardError {
    /// Writes `text` to file descriptor 2.
    public static func write(_ text: String) {
        var copy = text
        copy.withUTF8 { buffer in _ = Glibc.write(2, buffer.baseAddress, buffer.count) }
    }
}
