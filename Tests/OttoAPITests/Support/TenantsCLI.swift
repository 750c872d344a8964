import Foundation
import OttoCalls
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

    /// Runs `otto-api tenants ARGUMENTS`; returns the status and everything it printed.
    static func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> (Int32, String) {
        try await ChildProcess.run(
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
