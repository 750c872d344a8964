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
        // A task that lacks a client is a configuration error (exit 78), said before anything runs.
        let built = Result { try WorkerBuilder.build(configuration: configuration, logger: logger) }
        guard case .success(let (group, _)) = built else {
            if case .failure(let error) = built { StandardError.write("\(error)\n") }
            throw ExitCode(ConfigurationError.exitCode)
        }
        // The PostgreSQL pool and the Redis client are services of the group: they close in it.
        try await group.run()
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
