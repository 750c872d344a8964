import ArgumentParser
import Logging
import OttoCore
import ServiceLifecycle

/// `otto-beat`: the periodic scheduler (default) and its configuration check.
@main
struct OttoBeatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otto-beat",
        abstract: "Otto's periodic task scheduler.",
        subcommands: [RunCommand.self, CheckConfigCommand.self],
        defaultSubcommand: RunCommand.self)
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the scheduler (default).")

    func run() async throws {
        let configuration: OttoConfiguration
        do {
            configuration = try OttoConfiguration.load(for: .beat)
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode(ConfigurationError.exitCode)
        }
        let logger = LoggingSetup.bootstrap(
            process: .beat, format: configuration.logFormat, level: configuration.logLevel)
        let (group, _) = BeatBuilder.build(configuration: configuration, logger: logger)
        // The PostgreSQL pool and the Redis client are services of the group: they close in it.
        try await group.run()
        logger.info("otto-beat stopped")
    }
}

struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate configuration and exit (0 valid, 78 invalid).")

    @Flag(help: "Also prove that each configured dependency answers (exit 69 when one does not).")
    var connect = false

    func run() async throws {
        let status = await ConfigCheck.run(process: .beat, connect: connect)
        if status != 0 { throw ExitCode(status) }
    }
}
