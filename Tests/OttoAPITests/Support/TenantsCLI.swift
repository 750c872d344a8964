import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// The real `otto-api tenants …` commands, run as an operator runs them, with signing keys
/// passed in files.
enum TenantsCLI {
    static func environment(secretsKey: String? = TestSecrets.tenantSecretsKey) throws -> [String: String] {
        var environment = [
            "APP_ENV": "test", "DATABASE_URL": try TestServices.databaseURL(), "PUBLIC_BASE_URL": "https://otto.test",
        ]
        environment["TENANT_SECRETS_KEY"] = secretsKey
        return environment
    }

    /// The test database, migrated once before the first command: `make test` starts from an
    /// empty one and tests run in any order, so none may count on another having migrated it.
    private static let migrated = Task<Void, any Error> {
        let logger = Logger(label: "otto.tests")
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try TestServices.databaseURL(), poolSize: 1), logger: logger)
        do {
            try await MigrationRunner(pool: pool, logger: logger).migrate()
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    /// Runs `otto-api tenants ARGUMENTS` on the migrated test database (or on the one
    /// `environment` names); returns the status and everything it printed.
    static func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> (Int32, String) {
        try await migrated.value
        return try await ChildProcess.run(
            "otto-api", ["tenants"] + arguments, environment: try environment ?? Self.environment())
    }

    /// Runs a command with `--json` and returns its document; records an issue on failure.
    static func json(_ arguments: [String]) async throws -> [String: Any] {
        let (status, output) = try await run(arguments + ["--json"])
        #expect(status == 0, "tenants \(arguments.joined(separator: " ")): \(output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
    }

    /// A file holding `key` (with the trailing line break an editor adds), removed by the caller.
    static func keyFile(_ key: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("otto-key-\(UUID().uuidString)").path
        try (key + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A fresh, recognisable fake signing key.
    static func newKey(_ label: String) -> String {
        "KEYCANARY-\(label)-\(UUID().uuidString.prefix(8))"
    }

    static func company() -> String {
        "COM\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    }
}
