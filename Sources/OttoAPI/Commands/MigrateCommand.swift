import ArgumentParser
import Logging
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// Applies database migrations; Fly runs it as the release command before new machines start.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending database migrations under an advisory lock.")

    func run() async throws {
        let configuration = try APIProcessConfiguration.loadOrExit()
        let logger = LoggingSetup.bootstrap(
            process: .api, format: configuration.logging.format, level: configuration.logging.level)
        let dependencies = Dependencies(configuration: configuration, logger: logger, postgresPoolSize: 1)
        guard let postgres = dependencies.postgres else { throw ExitCode.configuration }
        do {
            let applied = try await MigrationCatalog.apply(to: postgres, logger: logger)
            logger.info("migrations complete", metadata: ["applied": "\(applied.count)"])
            await dependencies.shutdown()
        } catch {
            logger.error("migration failed", metadata: ["error": "\(error)"])
            await dependencies.shutdown()
            throw ExitCode.failure
        }
    }
}
