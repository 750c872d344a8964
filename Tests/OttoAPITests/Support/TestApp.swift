import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import OttoCore

@testable import OttoAPI

/// Builds the real application against real (or deliberately broken) dependencies.
enum TestApp {
    static func configuration(_ environment: [String: String]) throws -> OttoConfiguration {
        var configuration = try OttoConfiguration.load(for: .api, environment: environment)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        return configuration
    }

    static func run<Value: Sendable>(
        environment: [String: String], output: LogOutput = .capturing(),
        _ body: @Sendable (any TestClientProtocol, OttoConfiguration, Dependencies) async throws -> Value
    ) async throws -> Value {
        let configuration = try configuration(environment)
        let logger = LoggingSetup.logger(label: "otto.api.test", output: output)
        let dependencies = Dependencies(configuration: configuration, logger: logger)
        let app = buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
        do {
            let value = try await app.test(.live) { client in try await body(client, configuration, dependencies) }
            await dependencies.shutdown()
            return value
        } catch {
            await dependencies.shutdown()
            throw error
        }
    }
}
