import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport

@testable import OttoAPI

/// Builds the real application against real (or deliberately broken) dependencies.
enum TestApp {
    static func configuration(_ environment: [String: String]) throws -> APIProcessConfiguration {
        var configuration = try APIProcessConfiguration.load(environment: environment)
        configuration.http.host = "127.0.0.1"
        configuration.http.port = 0
        return configuration
    }

    static func run<Value: Sendable>(
        environment: [String: String], output: LogOutput = .capturing(), metrics: APIMetrics = APIMetrics(),
        jwksSource: (any JWKSSource)? = nil, migrate: Bool = false,
        readinessProbe: ((Dependencies) -> ReadinessProbe)? = nil, extraRoutes: ((RouteGroups) -> Void)? = nil,
        _ body: @Sendable (any TestClientProtocol, APIProcessConfiguration, Dependencies) async throws -> Value
    ) async throws -> Value {
        let configuration = try configuration(environment)
        // LOG_LEVEL applies as in otto-api (info unless the environment says otherwise).
        let logger = LoggingSetup.logger(label: "otto.api.test", output: output, level: configuration.logging.level)
        let dependencies = Dependencies(configuration: configuration, logger: logger)
        if migrate, let postgres = dependencies.postgres {
            _ = try await MigrationRunner(pool: postgres, logger: logger).migrate()
        }
        let app = buildApplication(
            configuration: configuration, dependencies: dependencies, logger: logger, metrics: metrics,
            jwksSource: jwksSource, readinessProbe: readinessProbe?(dependencies), extraRoutes: extraRoutes)
        do {
            let value = try await app.test(.live) { client in try await body(client, configuration, dependencies) }
            await dependencies.shutdown()
            return value
        } catch {
            await dependencies.shutdown()
            throw error
        }
    }

    /// Opens the application's Redis connection (as a `/ready` check would) before a test counts
    /// rate-limit decisions from its first request: a decision has one second, connecting
    /// included (the Redis client connects on first use, and may take up to 2 s), and a machine
    /// that starts every suite at once does not always connect within it; the request then
    /// fails open, without headers.
    static func connectRedis(_ dependencies: Dependencies) async throws {
        try await dependencies.redis?.ping()
    }

    /// PostgreSQL and Redis from the test tooling, a unique key prefix, and the test signing key.
    static func guardedEnvironment(_ name: String) throws -> [String: String] {
        [
            "DATABASE_URL": try TestServices.databaseURL(), "REDIS_URL": try TestServices.redisURL(),
            "REDIS_KEY_PREFIX": TestServices.uniquePrefix(name), "CLERK_JWT_KEY": TestTokens.publicKeyPEM,
        ]
    }
}
