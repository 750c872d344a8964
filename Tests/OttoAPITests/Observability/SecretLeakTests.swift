import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OttoCore
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Secret leak")
struct SecretLeakTests {
    @Test("no secret value, Authorization or Cookie ever appears in the logs")
    func secretsNeverLogged() async throws {
        // Recognisable, obviously fake values for every secret the API reads.
        let secrets: [String: String] = [
            "CLERK_SECRET_KEY": "sk_test_LEAKCANARYclerksecret0001",
            "TWILIO_AUTH_TOKEN": String(repeating: "1eafcafe", count: 4),
            "CALLRAIL_API_KEY": "LEAKCANARYcallrailapikey0001",
            "CALLRAIL_SIGNING_KEY": "LEAKCANARYcallrailsigning0001",
            "DEEPGRAM_API_KEY": "LEAKCANARYdeepgram0001",
            "OPENAI_API_KEY": "sk-LEAKCANARYopenai0001",
            "BLAND_API_KEY": "LEAKCANARYbland0001",
            "INTERNAL_API_TOKEN": "LEAKCANARYinternaltoken0001",
        ]
        var environment = try TestApp.guardedEnvironment("secrets")
        for (name, value) in secrets { environment[name] = value }
        environment["TWILIO_ACCOUNT_SID"] = "AC" + String(repeating: "c", count: 32)
        environment["LOG_LEVEL"] = "trace"
        let forgedToken = try await TestTokens.make(org: "org_leak", key: TestTokens.otherKey)
        let validToken = try await TestTokens.make(org: "org_leak_\(UUID().uuidString.prefix(8))")
        let cookieValue = "LEAKCANARYcookie0001"
        let output = LogOutput.capturing()

        try await TestApp.run(environment: environment, output: output, migrate: true) { client, _, _ in
            let requests: [(String, HTTPRequest.Method, HTTPFields)] = [
                ("/health", .get, [:]),
                ("/ready", .get, [:]),
                ("/nope", .get, [:]),
                ("/health", .post, [:]),
                ("/v1/me", .get, Probe.bearer(forgedToken)),
                ("/v1/me", .get, Probe.bearer(validToken)),
                ("/v1/me", .get, [.cookie: "__session=\(cookieValue)"]),
                ("/v1/me", .get, [.authorization: "Basic \(cookieValue)"]),
                (
                    "/metrics", .get,
                    [
                        .authorization: "Bearer LEAKCANARYinternaltoken0001",
                        HTTPField.Name("X-Forwarded-For")!: "203.0.113.1",
                    ]
                ),
                ("/internal/worker/heartbeat", .get, [.authorization: "Bearer LEAKCANARYwrongtoken"]),
            ]
            for (path, method, headers) in requests {
                try await client.execute(uri: path, method: method, headers: headers) { _ in }
            }
        }

        let log = output.capturedLines.joined()
        #expect(output.capturedLines.count >= 10)
        #expect(log.contains("\"message\":\"request\""))
        for (name, value) in secrets {
            #expect(!log.contains(value), "\(name) leaked into the logs")
        }
        for value in [forgedToken, validToken, cookieValue, "LEAKCANARYwrongtoken"] {
            #expect(!log.contains(value))
        }
        #expect(!log.lowercased().contains("\"authorization\""))
        #expect(!log.lowercased().contains("\"cookie\""))
    }
}
