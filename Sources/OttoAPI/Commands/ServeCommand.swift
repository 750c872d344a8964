import ArgumentParser
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks
import ServiceLifecycle
import UnixSignals

/// Runs the API until SIGTERM or SIGINT, then drains requests and exits 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP API (default).")

    func run() async throws {
        let configuration = try APIProcessConfiguration.loadOrExit()
        let logger = LoggingSetup.bootstrap(
            process: .api, format: configuration.logging.format, level: configuration.logging.level)
        // Requests get a pool sized to the cores; in-process tasks (ENABLE_CELERY=false) a pool of
        // their own, one connection per task they may run at once and one for the webhook sweep,
        // so they never hold the connections requests need.
        let dependencies = Dependencies(
            configuration: configuration, logger: logger, postgresPoolSize: Dependencies.requestPoolSize,
            taskPoolSize: configuration.enableCelery ? nil : InProcessTaskRunner.defaultConcurrency + 1)
        // One registry for Otto's own metrics and any library's, bootstrapped once per process
        // (tests pass their own registry instead and never bootstrap).
        let metrics = APIMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        let app = buildApplication(
            configuration: configuration, dependencies: dependencies, logger: logger, metrics: metrics)
        logger.info(
            "otto-api starting",
            metadata: [
                "port": "\(configuration.http.port)", "app_env": "\(configuration.environment.rawValue)",
                "enable_celery": "\(configuration.enableCelery)", "version": "\(OttoVersion.current)",
            ])
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch let error as WebhookCredentialCache.UnusableKeys {
            // Refuse to run half-configured: tenants' CallRail webhooks could not be verified.
            logger.critical("otto-api refuses to start: \(error)")
            StandardError.write("otto-api: \(error)\n")
            throw ExitCode.configuration
        }
        // The PostgreSQL pool and the Redis client are services of the application: they closed in it.
        logger.info("otto-api stopped")
    }
}
