import Foundation
import OttoCalls
import OttoTasks
import OttoTestSupport
import Testing

/// The deployment's validation scripts (deploy/quick-validation.sh, deploy/smoke-obs.sh) run
/// against a real local otto-api with a worker: they pass against a healthy one and fail
/// against a broken one (Redis stopped).
@Suite("Validation scripts", .serialized)
struct ValidationScriptTests {
    static let token = "validation-internal-token-0001"
    static let twilioToken = "0123456789abcdef0123456789abcdef"

    /// Runs a script to completion without blocking a thread of the cooperative pool (a
    /// blocking wait there stalls every other test's timers on a two-core machine).
    func runScript(_ script: String, base: String, extra: [String: String] = [:]) async throws -> (Int32, String) {
        let result = try await ProcessRunner.run(
            "/bin/sh", [FileManager.default.currentDirectoryPath + "/deploy/" + script],
            environment: [
                "PATH": "/usr/bin:/bin", "BASE": base, "INTERNAL_API_TOKEN": Self.token,
                "ALLOWED_ORIGIN": "https://app.example.com",
            ].merging(extra) { _, new in new }, standardError: .merged)
        return (result.status, result.text)
    }

    /// What a started stack must show before a script runs against it.
    enum Expected {
        /// /ready answers 200: the worker's heartbeat is live.
        case ready
        /// /health answers 200 (the API is up), /ready 503.
        case upButNotReady
    }

    func withStack(redisURL: String, expect expected: Expected, _ body: (String) async throws -> Void) async throws {
        let port = FreePort.pick()
        let base = "http://127.0.0.1:\(port)"
        let prefix = TestServices.uniquePrefix("validate")
        let environment = [
            "APP_ENV": "test", "PORT": "\(port)", "HOST": "127.0.0.1", "DATABASE_URL": try TestServices.databaseURL(),
            "REDIS_URL": redisURL, "ENABLE_CELERY": "true", "REDIS_KEY_PREFIX": prefix,
            "INTERNAL_API_TOKEN": Self.token, "ALLOWED_ORIGINS": "https://app.example.com",
            "PUBLIC_BASE_URL": base, "TWILIO_AUTH_TOKEN": Self.twilioToken,
            "CALLRAIL_SIGNING_KEY": "validation-callrail-key",
        ]
        _ = try await ChildProcess.run("otto-api", ["migrate"], environment: environment)
        let api = ChildProcess(binary: "otto-api", environment: environment)
        let worker = ChildProcess(binary: "otto-worker", environment: environment)
        try api.start()
        try worker.start()
        // The stack is up before any script runs (deadlines that only fail a hung start).
        let up = await eventually(timeout: .seconds(60)) { await ProcessProbe.httpStatus(base + "/health") == 200 }
        try #require(up, "otto-api never answered /health:\n\(api.output)")
        switch expected {
        case .ready:
            #expect(await worker.waitForOutput("otto-worker ready", timeout: .seconds(60)), "\(worker.output)")
            let ready = await eventually(timeout: .seconds(60)) {
                await ProcessProbe.httpStatus(base + "/ready") == 200
            }
            try #require(ready, "/ready never answered 200:\n\(api.output)\n\(worker.output)")
        case .upButNotReady:
            #expect(await ProcessProbe.httpStatus(base + "/ready") == 503)
        }
        try await body(base)
        api.signal(SIGTERM)
        worker.signal(SIGTERM)
        _ = await api.waitForExit(timeout: .seconds(25))
        _ = await worker.waitForExit(timeout: .seconds(25))
    }

    @Test("quick-validation.sh and smoke-obs.sh pass against a healthy local otto-api")
    func passAgainstHealthyAPI() async throws {
        try await withStack(redisURL: try TestServices.redisURL(), expect: .ready) { base in
            let (quick, quickOutput) = try await runScript("quick-validation.sh", base: base)
            #expect(quick == 0, "\(quickOutput)")
            #expect(quickOutput.contains("PASS health"))
            // With a real tenant and the Twilio token, the script sends a signed webhook.
            let (created, tenantJSON) = try await ChildProcess.run(
                "otto-api",
                [
                    "tenants", "create", "--clerk-org", "org_validate_\(UUID().uuidString.prefix(8))", "--name", "V",
                    "--json",
                ],
                environment: [
                    "DATABASE_URL": try TestServices.databaseURL(), "PUBLIC_BASE_URL": base, "APP_ENV": "test",
                ])
            #expect(created == 0, "\(tenantJSON)")
            let tenant =
                (try JSONSerialization.jsonObject(with: Data(tenantJSON.utf8)) as? [String: Any])?["id"] as? String
            let (signed, signedOutput) = try await runScript(
                "quick-validation.sh", base: base,
                extra: ["TEST_TENANT_ID": tenant ?? "", "TWILIO_AUTH_TOKEN": Self.twilioToken])
            #expect(signed == 0, "\(signedOutput)")
            #expect(signedOutput.contains("PASS webhook-signed"), "\(signedOutput)")
            let (smoke, smokeOutput) = try await runScript("smoke-obs.sh", base: base)
            #expect(smoke == 0, "\(smokeOutput)")
        }
    }

    @Test("smoke-obs.sh checks the internal token as an outside request would: a wrong one fails against a local API")
    func smokeObsChecksToken() async throws {
        try await withStack(redisURL: try TestServices.redisURL(), expect: .ready) { base in
            #expect(await ProcessProbe.httpStatus(base + "/health") == 200)
            let (wrong, wrongOutput) = try await runScript(
                "smoke-obs.sh", base: base, extra: ["INTERNAL_API_TOKEN": "wrong-internal-token-0001"])
            #expect(wrong != 0, "\(wrongOutput)")
            #expect(
                wrongOutput.contains("FAIL metrics-token: GET /metrics with the internal token: HTTP 403"),
                "\(wrongOutput)")
            #expect(wrongOutput.contains("FAIL heartbeat-token:"), "\(wrongOutput)")
            let (right, rightOutput) = try await runScript("smoke-obs.sh", base: base)
            #expect(right == 0, "\(rightOutput)")
            #expect(rightOutput.contains("PASS metrics-token:"), "\(rightOutput)")
            #expect(rightOutput.contains("PASS metrics-refused-x-real-ip:"), "\(rightOutput)")
        }
    }

    @Test("quick-validation.sh fails the readiness check of a running otto-api whose Redis is down")
    func failAgainstBrokenAPI() async throws {
        // withStack requires /health 200 and /ready 503 first: the API is up, only Redis is down.
        try await withStack(redisURL: "redis://127.0.0.1:1/0", expect: .upButNotReady) { base in
            let (quick, output) = try await runScript("quick-validation.sh", base: base)
            #expect(quick == 1, "\(output)")
            let lines = output.split(separator: "\n").map(String.init)
            // The script reached the API: its health check passed ...
            #expect(lines.contains { $0.hasPrefix("PASS health: 200 healthy") }, "\(output)")
            // ... and the readiness check is what failed, naming Redis (and not the database).
            let readiness = lines.first { $0.hasPrefix("FAIL readiness: 503 not ready; components down: ") }
            #expect(readiness?.contains("redis") == true, "\(output)")
            #expect(readiness?.contains("database") == false, "\(output)")
            #expect(lines.contains { $0.hasPrefix("FAIL redis: readiness component redis is false") }, "\(output)")
            #expect(lines.contains { $0.hasPrefix("PASS database:") }, "\(output)")
        }
    }
}
