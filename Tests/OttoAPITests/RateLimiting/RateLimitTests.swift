import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Rate limiting")
struct RateLimitTests {
    /// Limits per hour where a test counts refusals: such a bucket refills one request every
    /// several minutes, so a slow machine cannot refill it in the middle of a test.
    func environment(api: String = "3/1h", webhooks: String = "2/1h") throws -> [String: String] {
        var environment = try TestApp.guardedEnvironment("ratelimit")
        environment["RATE_LIMIT_API"] = api
        environment["RATE_LIMIT_WEBHOOKS"] = webhooks
        return environment
    }

    @Test("the API limit counts per organisation, with IETF and X- headers, and refuses with 429 Retry-After")
    func apiLimitPerTenant() async throws {
        let org = "org_rl_\(UUID().uuidString.prefix(8))"
        let token = try await TestTokens.make(org: org)
        let other = try await TestTokens.make(org: org + "_other")
        try await TestApp.run(environment: try environment(), migrate: true) { client, _, dependencies in
            try await TestApp.connectRedis(dependencies)
            for expectedRemaining in [2, 1, 0] {
                try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(token)) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.rateLimitPolicy] == "3;w=3600")
                    #expect(
                        response.headers[.rateLimit]?.hasPrefix("limit=3, remaining=\(expectedRemaining), reset=")
                            == true)
                    #expect(response.headers[.xRateLimitLimit] == "3")
                    #expect(response.headers[.xRateLimitRemaining] == String(expectedRemaining))
                    #expect(response.headers[.xRateLimitReset] != nil)
                }
            }
            try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(token)) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(response.headers[.xRateLimitRemaining] == "0")
                #expect(response.headers[.rateLimitPolicy] == "3;w=3600")
            }
            try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(other)) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("a limit above 1000 per second keeps its full burst, and a per-minute policy says w=60")
    func highLimit() async throws {
        try await TestApp.run(environment: try environment(api: "120000/1m")) { client, _, dependencies in
            try await TestApp.connectRedis(dependencies)
            try await client.execute(uri: "/v1/me", method: .get) { response in
                #expect(response.headers[.xRateLimitRemaining] == "119999")
                #expect(response.headers[.rateLimitPolicy] == "120000;w=60")
            }
        }
    }

    @Test("forged tokens are limited by the client's address and their 401s carry the headers")
    func forgedTokensLimited() async throws {
        let forged = try await TestTokens.make(
            org: "org_forged_\(UUID().uuidString.prefix(8))", key: TestTokens.otherKey)
        try await TestApp.run(environment: try environment(api: "2/1h"), migrate: true) { client, _, dependencies in
            try await TestApp.connectRedis(dependencies)
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(forged)) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.xRateLimitLimit] == "2")
                }
            }
            try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(forged)) { response in
                #expect(response.status == .tooManyRequests)
            }
        }
    }

    @Test("health, readiness, internal routes and metrics are never limited")
    func exemptRoutes() async throws {
        try await TestApp.run(environment: try environment(api: "1/1h", webhooks: "1/1h")) { client, _, _ in
            for path in ["/health", "/ready", "/metrics", "/internal/worker/heartbeat"] {
                for _ in 0..<3 {
                    try await client.execute(uri: path, method: .get) { response in
                        #expect(response.status != .tooManyRequests)
                        #expect(response.headers[.xRateLimitLimit] == nil)
                    }
                }
            }
        }
    }

    @Test("without Redis, rate limiting is off")
    func offWithoutRedis() async throws {
        var environment = try environment(api: "1/1h")
        environment["REDIS_URL"] = nil
        try await TestApp.run(environment: environment, migrate: true) { client, _, _ in
            for _ in 0..<3 {
                try await client.execute(uri: "/v1/me", method: .get) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.xRateLimitLimit] == nil)
                }
            }
        }
    }

    @Test(
        "a hung Redis delays a request by the one-second decision timeout, not the Redis command timeout, then fails open"
    )
    func hungRedis() async throws {
        let listener = try await SilentListener.start()
        var environment = try environment(api: "1/1h")
        environment["REDIS_URL"] = "redis://127.0.0.1:\(listener.port)"
        let closedWhenAnswered = try await TestApp.run(environment: environment, migrate: true) { client, _, _ in
            try await client.execute(uri: "/v1/me", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.xRateLimitLimit] == nil)
            }
            return listener.closedConnections
        }
        await listener.stop()
        // The Redis client closes its connection when its own 3 s command timeout fires. The API
        // answered while that command was still waiting on the hung server, so the answer came
        // from the 1 s decision timeout (an order of events, not a duration a loaded machine moves;
        // answered after 1.08 s here, 1.9 s before the command timeout would have closed it).
        #expect(closedWhenAnswered == 0, "the answer waited for the Redis command timeout")
    }

    @Test(
        "when Redis fails, the fail policy decides, each decision is counted and logged once per interval",
        arguments: [true, false])
    func redisFailure(failOpen: Bool) async throws {
        let listener = try await ClosedPort.find()
        var environment = try environment(api: "1/1h")
        environment["REDIS_URL"] = "redis://127.0.0.1:\(listener)"
        environment["RATE_LIMIT_FAIL_OPEN"] = failOpen ? "true" : "false"
        let output = LogOutput.capturing()
        let metrics = APIMetrics()
        try await TestApp.run(environment: environment, output: output, metrics: metrics, migrate: true) {
            client, _, _ in
            for _ in 0..<3 {
                try await client.execute(uri: "/v1/me", method: .get) { response in
                    #expect(response.status == (failOpen ? .unauthorized : .serviceUnavailable))
                }
            }
        }
        let warnings = output.capturedLines.filter { $0.contains("rate limiting unavailable") }
        #expect(warnings.count == 1)
        let decision = failOpen ? "error_open" : "error_closed"
        #expect(
            metrics.registry.emitToString().contains("decision=\"\(decision)\",group=\"api\"} 3")
                || metrics.registry.emitToString().contains("group=\"api\",decision=\"\(decision)\"} 3"))
    }
}
