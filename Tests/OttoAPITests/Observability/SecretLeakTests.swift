import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoRedis
import OttoSupport
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Secret leak")
struct SecretLeakTests {
    @Test("signed webhooks, their tasks, /metrics and refused requests, logged at trace, never log a secret")
    func secretsNeverLogged() async throws {
        let canary = UUID().uuidString.prefix(8).lowercased()
        // The database and Redis are reached as users of their own whose passwords are canaries.
        let databaseUser = "otto_leak_\(canary)"
        let databasePassword = "LEAKCANARYdbpassword\(canary)"
        let redisUser = "otto-leak-\(canary)"
        let redisPassword = "LEAKCANARYredispassword\(canary)"
        let admin = PostgresPool(
            configuration: PostgresConfiguration(
                url: try TestServices.variable("OTTO_TEST_PG_SUPERUSER_URL"), poolSize: 1),
            logger: .init(label: "otto.tests.secrets"))
        _ = try await admin.query("CREATE ROLE \(databaseUser) LOGIN PASSWORD '\(databasePassword)' IN ROLE otto")
        let redisAdmin = RedisClient(
            endpoint: try RedisEndpoint(url: try TestServices.redisURL()), logger: .init(label: "otto.tests.secrets"))
        _ = try await redisAdmin.send(["ACL", "SETUSER", redisUser, "on", ">\(redisPassword)", "~*", "&*", "+@all"])

        do {
            try await run(
                databaseUser: databaseUser, databasePassword: databasePassword, redisUser: redisUser,
                redisPassword: redisPassword)
        } catch {
            Issue.record(error)
        }
        _ = try? await redisAdmin.send(["ACL", "DELUSER", redisUser])
        await redisAdmin.close()
        _ = try? await admin.query("DROP ROLE IF EXISTS \(databaseUser)")
        await admin.shutdown()
    }

    func run(databaseUser: String, databasePassword: String, redisUser: String, redisPassword: String) async throws {
        // Recognisable, obviously fake values for every other secret the API reads; the webhook
        // secrets are the ones CallsTestApp signs with.
        let secrets: [String: String] = [
            "CLERK_SECRET_KEY": "sk_test_LEAKCANARYclerksecret0001",
            "TWILIO_AUTH_TOKEN": CallsTestApp.twilioToken,
            "CALLRAIL_API_KEY": "LEAKCANARYcallrailapikey0001",
            "CALLRAIL_SIGNING_KEY": CallsTestApp.callRailKey,
            "DEEPGRAM_API_KEY": "LEAKCANARYdeepgram0001",
            "OPENAI_API_KEY": "sk-LEAKCANARYopenai0001",
            "BLAND_API_KEY": "LEAKCANARYbland0001",
            "INTERNAL_API_TOKEN": "LEAKCANARYinternaltoken0001",
        ]
        var environment = try CallsTestApp.environment()
        for (name, value) in secrets { environment[name] = value }
        let database = try TestServices.databaseURL()
        environment["DATABASE_URL"] = database.replacingOccurrences(
            of: "://otto:otto@", with: "://\(databaseUser):\(databasePassword)@")
        try #require(environment["DATABASE_URL"] != database)
        let redis = try TestServices.redisURL()
        environment["REDIS_URL"] = redis.replacingOccurrences(
            of: "redis://", with: "redis://\(redisUser):\(redisPassword)@")
        environment["CLERK_JWT_KEY"] = TestTokens.publicKeyPEM
        environment["TWILIO_ACCOUNT_SID"] = "AC" + String(repeating: "0", count: 32)
        environment["LOG_LEVEL"] = "trace"
        let forgedToken = try await TestTokens.make(org: "org_leak", key: TestTokens.otherKey)
        let validToken = try await TestTokens.make(org: "org_leak_\(UUID().uuidString.prefix(8))")
        let cookieValue = "LEAKCANARYcookie0001"
        let output = LogOutput.capturing()
        // Migrated as the owning role first (the canary role only uses the tables).
        let owner = PostgresPool(
            configuration: PostgresConfiguration(url: database, poolSize: 1), logger: .init(label: "otto.tests"))
        try await MigrationRunner(pool: owner, logger: .init(label: "otto.tests")).migrate()
        await owner.shutdown()

        try await TestApp.run(environment: environment, output: output) { client, _, dependencies in
            // A signed Twilio webhook and a signed CallRail webhook through the real routes; each
            // is processed by its task in this process (ENABLE_CELERY=false).
            let tenant = try await CallsTestApp.tenant(dependencies)
            let fields = CallsTestApp.twilioFields(callSID: "CA-leak", status: "completed")
            #expect(try await CallsTestApp.twilio(client, tenant: tenant, fields: fields) == .ok)
            let json = """
                {"resource_id":"CAL-leak","direction":"inbound","answered":true,"customer_phone_number":"+15551234567",\
                "tracking_phone_number":"+15550001111","business_phone_number":"+15552223333",\
                "start_time":"2026-01-31T12:00:00.000-05:00","duration":"33","recording":null}
                """
            #expect(try await CallsTestApp.callRail(client, tenant: tenant, json: json).0 == .ok)
            let processed = await eventually(timeout: .seconds(30)) {
                Self.taskEnds(output).filter { $0["outcome"] as? String == "succeeded" }.count == 2
            }
            #expect(processed, "task-end lines: \(Self.taskEnds(output))")

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
                        .authorization: "Bearer \(secrets["INTERNAL_API_TOKEN"]!)",
                        HTTPField.Name("X-Forwarded-For")!: "203.0.113.1",
                    ]
                ),
                ("/internal/worker/heartbeat", .get, [.authorization: "Bearer LEAKCANARYwrongtoken"]),
            ]
            for (path, method, headers) in requests {
                try await client.execute(uri: path, method: method, headers: headers) { _ in }
            }
        }

        // The log did capture what these requests and tasks did, so the absence below means something.
        let lines = LogLines.parse(output.capturedLines.joined(separator: "\n"))
        func requestLine(_ route: String, _ status: Int) -> Bool {
            lines.contains {
                $0["message"] as? String == "request" && $0["route"] as? String == route
                    && ($0["status"] as? Int ?? Int($0["status"] as? String ?? "")) == status
            }
        }
        #expect(requestLine("/webhooks/twilio/{tenant}", 200))
        #expect(requestLine("/webhooks/callrail/{tenant}", 200))
        #expect(requestLine("/metrics", 200))
        #expect(requestLine("/v1/me", 200))
        #expect(requestLine("/v1/me", 401))
        #expect(Set(Self.taskEnds(output).compactMap { $0["task_name"] as? String }) == ["process_webhook_event"])
        // Trace level reached the clients that hold the passwords.
        #expect(lines.contains { $0["message"] as? String == "postgres connection opened" })
        #expect(lines.contains { ($0["message"] as? String)?.hasPrefix("Redis connected") == true })

        let log = output.capturedLines.joined()
        for (name, value) in secrets {
            #expect(!log.contains(value), "\(name) leaked into the logs")
        }
        #expect(!log.contains(databasePassword), "the database password leaked into the logs")
        #expect(!log.contains(redisPassword), "the Redis password leaked into the logs")
        for value in [forgedToken, validToken, cookieValue, "LEAKCANARYwrongtoken"] {
            #expect(!log.contains(value))
        }
        #expect(!log.lowercased().contains("\"authorization\""))
        #expect(!log.lowercased().contains("\"cookie\""))
    }

    /// The task-end lines captured so far.
    static func taskEnds(_ output: LogOutput) -> [[String: Any]] {
        LogLines.parse(output.capturedLines.joined(separator: "\n")).filter {
            $0["message"] as? String == "task finished"
        }
    }
}
