import ArgumentParser
import Logging
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks

/// Opens the database for the `tenants` commands (configuration errors exit 78).
enum TenantDatabase {
    static func run<T: Sendable>(
        _ body: @Sendable (APIProcessConfiguration, TenantRecords) async throws -> T
    ) async throws -> T {
        try await runWithPipeline { configuration, records, _ in try await body(configuration, records) }
    }

    /// `run`, with the pipeline's reads too (`tenants usage`).
    static func runWithPipeline<T: Sendable>(
        _ body: @Sendable (APIProcessConfiguration, TenantRecords, PipelineReader) async throws -> T
    ) async throws -> T {
        let configuration = try APIProcessConfiguration.loadOrExit()
        // Logs share stdout with the JSON document, so only warnings and errors are written.
        let logger = LoggingSetup.bootstrap(
            process: .api, format: configuration.logging.format, level: max(configuration.logging.level, .warning))
        let dependencies = Dependencies(configuration: configuration, logger: logger, postgresPoolSize: 1)
        guard let postgres = dependencies.postgres else {
            StandardError.write("DATABASE_URL is required by the tenants commands\n")
            throw ExitCode.configuration
        }
        do {
            let value = try await body(configuration, TenantRecords(pool: postgres), PipelineReader(pool: postgres))
            await dependencies.shutdown()
            return value
        } catch {
            await dependencies.shutdown()
            guard let mistake = error as? TenantRecordsError ?? TenantRecordsError(reading: error) else {
                logger.error("tenants command failed", metadata: ["error": "\(error)"])
                throw ExitCode.failure
            }
            // The operator's mistake, said in words (never with a key in it).
            StandardError.write("otto-api tenants: \(mistake)\n")
            throw mistake.code == .secretsKeyRequired ? ExitCode.configuration : ExitCode.failure
        }
    }
}
