import ArgumentParser
import Logging
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks
import ServiceLifecycle

/// `otto-worker`: runs tasks from Redis (default), checks configuration, and the operator tools.
@main
struct OttoWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otto-worker",
        abstract: "Otto's task worker.",
        subcommands: [
            RunCommand.self, CheckConfigCommand<WorkerProcessConfiguration>.self, EnqueueCommand.self,
            InspectCommand.self, DeadCommand.self, WorkflowCommand.self,
        ],
        defaultSubcommand: RunCommand.self)
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the worker (default).")

    func run() async throws {
        let configuration = try WorkerProcessConfiguration.loadOrExit()
        let logger = LoggingSetup.bootstrap(
            process: .worker, format: configuration.logging.format, level: configuration.logging.level)
        // A task that lacks a client is a configuration error (exit 78), said before anything runs.
        let built = Result { try WorkerBuilder.build(configuration: configuration, logger: logger) }
        guard case .success(let (group, _)) = built else {
            if case .failure(let error) = built { StandardError.write("\(error)\n") }
            throw ExitCode.configuration
        }
        // The PostgreSQL pool and the Redis client are services of the group: they close in it.
        try await group.run()
        logger.info("otto-worker stopped")
    }
}
