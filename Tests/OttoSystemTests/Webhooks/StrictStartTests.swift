import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// In staging and production, otto-api refuses to start (exit 78) when tenants hold CallRail
/// signing keys it cannot open: without TENANT_SECRETS_KEY, or with another key. It checks once
/// it can read the tenants, before its port opens.
@Suite("Strict start-up with tenant keys", .serialized)
struct StrictStartTests {
    static func environment(port: Int, secretsKey: String?) throws -> [String: String] {
        var environment = [
            "APP_ENV": "production", "PORT": "\(port)", "HOST": "127.0.0.1",
            "DATABASE_URL": try TestServices.databaseURL(),
            "CLERK_SECRET_KEY": "sk_test_strictstartfake0001", "CLERK_PUBLISHABLE_KEY": "pk_test_strictstartfake0001",
            "TWILIO_ACCOUNT_SID": "AC" + String(repeating: "0", count: 32),
            "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef", "CALLRAIL_SIGNING_KEY": "strict-callrail-fake",
            "ALLOWED_ORIGINS": "https://app.example.com", "PUBLIC_BASE_URL": "https://otto.example.com",
        ]
        environment["TENANT_SECRETS_KEY"] = secretsKey
        return environment
    }

    /// Makes sure the test database has a tenant with its own key (sealed with the tests' key).
    static func tenantWithKey() async throws {
        let development = ["APP_ENV": "test", "DATABASE_URL": try TestServices.databaseURL()]
        _ = try await ChildProcess.run("otto-api", ["migrate"], environment: development)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otto-key-\(UUID().uuidString)").path
        try "STRICTKEYCANARY-\(UUID().uuidString.prefix(8))\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (status, output) = try await ChildProcess.run(
            "otto-api",
            [
                "tenants", "create", "--clerk-org", "org_strict_\(UUID().uuidString.prefix(8))", "--name", "Strict",
                "--callrail-signing-key-file", file,
            ],
            environment: development.merging(["TENANT_SECRETS_KEY": TestSecrets.tenantSecretsKey]) { _, new in new })
        #expect(status == 0, "\(output)")
        #expect(!output.contains("STRICTKEYCANARY"))
    }

    @Test("without TENANT_SECRETS_KEY, or with another key, production otto-api exits 78 before opening its port")
    func refusesHalfConfigured() async throws {
        try await Self.tenantWithKey()
        let otherKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        for (secretsKey, message) in [(nil, "TENANT_SECRETS_KEY is required"), (otherKey, "does not open")] {
            let port = FreePort.pick()
            let (status, output) = try await ChildProcess.run(
                "otto-api", [], environment: try Self.environment(port: port, secretsKey: secretsKey))
            #expect(status == 78, "\(output)")
            #expect(output.contains(message), "\(output)")
            #expect(!output.contains("Server started and listening"), "\(output)")
            #expect(!output.contains(otherKey))
        }
    }

    @Test("with the TENANT_SECRETS_KEY the keys were stored with, production otto-api starts and serves")
    func startsWithTheKey() async throws {
        try await Self.tenantWithKey()
        let port = FreePort.pick()
        let api = ChildProcess(
            binary: "otto-api",
            environment: try Self.environment(port: port, secretsKey: TestSecrets.tenantSecretsKey))
        try api.start()
        let up = await eventually(timeout: .seconds(30)) {
            await ProcessProbe.httpStatus("http://127.0.0.1:\(port)/health") == 200
        }
        #expect(up, "\(api.output)")
        api.signal(SIGTERM)
        #expect(await api.waitForExit(timeout: .seconds(15)) == 0)
        #expect(!api.output.contains(TestSecrets.tenantSecretsKey))
    }
}
