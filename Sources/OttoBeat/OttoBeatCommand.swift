import ArgumentParser
import Logging
import OttoProcessKit
import ServiceLifecycle

/// `otto-beat`: the periodic scheduler (default) and its configuration check.
@main
struct OttoBeatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otto-beat",
        abstract: "Otto's periodic task scheduler.",
        subcommands: [RunCommand.self, CheckConfigCommand<BeatProcessConfiguration>.self],
        defaultSubcommand: RunCommand.self)
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the scheduler (default).")

    func run() async throws {
        let configuration = try BeatProcessConfiguration.loadOrExit()
        let logger = LoggingSetup.bootstrap(
            process: .beat, format: configuration.logging.format, level: configuration.logging.level)
        let group = BeatBuilder.build(configuration: configuration, logger: logger)
        // The Redis client is a service of the group: it closes in it.
        try await group.run()
        logger.info("otto-beat stopped")
    }
}
