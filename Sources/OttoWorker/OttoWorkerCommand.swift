import ArgumentParser
import Logging
import OttoCore
import ServiceLifecycle

/// `otto-worker`: runs tasks from Redis (default), checks configuration, and the operator tools.
@main
struct OttoWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otto-worker",
        abstract: "Otto's task worker.",
        subcommands: [
            RunCommand.self, CheckConfigCommand.self, EnqueueCommand.self, InspectCommand.self, DeadCommand.self,
        ],
        defaultSubcommand: RunCommand.self)
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the worker (default).")

    func run() async throws {
        let configuration: OttoConfiguration
        do {
            configuration = try OttoConfiguration.load(for: .worker)
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode(ConfigurationError.exitCode)
        }
        let logger = LoggingSetup.bootstrap(
            process: .worker, format: configuration.logFormat, level: configuration.logLevel)
        let (group, dependencies) = WorkerBuilder.build(configuration: configuration, logger: logger)
        try await group.run()
        await dependencies.shutdown()
        logger.info("otto-worker stopped")
    }
}

struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate configuration and exit (0 valid, 78 invalid).")

    @Flag(help: "Also prove that each configured dependency answers (exit 69 when one does not).")
    var connect = false

    func run() async throws {
        let status = await ConfigCheck.run(process: .worker, connect: connect)
        if status != 0 { throw ExitCode(status) }
    }
}
