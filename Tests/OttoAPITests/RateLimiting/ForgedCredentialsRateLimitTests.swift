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

/// The `/v1` limit charges verified requests to their tenant and failed ones to the client's
/// address: forged traffic naming a tenant never spends that tenant's budget, and a forger is
/// limited whatever names he varies.
@Suite("Rate limits that forgers cannot spend")
struct ForgedCredentialsRateLimitTests {
    static let limit = 5

    func environment(_ extra: [String: String] = [:]) throws -> [String: String] {
        var environment = try TestApp.guardedEnvironment("forged")
        // Per hour: the bucket refills one request every twelve minutes, so a slow machine
        // cannot refill it in the middle of a test.
        environment["RATE_LIMIT_API"] = "\(Self.limit)/1h"
        return environment.merging(extra) { _, new in new }
    }

    /// Both header families, as on every response of a limited route.
    func expectBothHeaderFamilies(_ response: TestResponse, remaining: Int? = nil) {
        #expect(response.headers[.rateLimitPolicy] == "\(Self.limit);w=3600")
        #expect(response.headers[.rateLimit]?.hasPrefix("limit=\(Self.limit), remaining=") == true)
        #expect(response.headers[.xRateLimitLimit] == String(Self.limit))
        #expect(response.headers[.xRateLimitRemaining] != nil)
        #expect(response.headers[.xRateLimitReset] != nil)
        if let remaining { #expect(response.headers[.xRateLimitRemaining] == String(remaining)) }
    }

    @Test("a flood of forged tokens naming a tenant leaves its genuine budget untouched and is limited by address")
    func forgedFloodNamingTenant() async throws {
        let org = "org_victim_\(UUID().uuidString.prefix(8))"
        let genuine = try await TestTokens.make(org: org)
        let forged = try await TestTokens.make(org: org, key: TestTokens.otherKey)
        try await TestApp.run(environment: try environment(), migrate: true) { client, _, dependencies in
            try await TestApp.connectRedis(dependencies)
            try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(genuine)) { response in
                #expect(response.status == .ok)
                expectBothHeaderFamilies(response, remaining: Self.limit - 1)
            }
            // Twice the limit of forged tokens naming the same organisation, from one address.
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<(2 * Self.limit) {
                let status = try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(forged)) {
                    response in
                    expectBothHeaderFamilies(response)
                    if response.status == .unauthorized {
                        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                    }
                    if response.status == .tooManyRequests {
                        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                        #expect(response.headers[.contentType] == "application/problem+json")
                        #expect(response.headers[.xRateLimitRemaining] == "0")
                    }
                    return response.status
                }
                statuses.append(status)
            }
            #expect(
                statuses == Array(repeating: .unauthorized, count: Self.limit)
                    + Array(repeating: .tooManyRequests, count: Self.limit))
            // The tenant's genuine traffic: 200, and only its own request spent its budget.
            try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(genuine)) { response in
                #expect(response.status == .ok)
                expectBothHeaderFamilies(response, remaining: Self.limit - 2)
                #expect(Probe.json(response)["org_id"] as? String == org)
            }
        }
    }

    @Test("a forger who varies the organisation claim is still limited by his address")
    func forgerVaryingClaim() async throws {
        var tokens: [String] = []
        for index in 0..<(2 * Self.limit) {
            tokens.append(
                try await TestTokens.make(
                    org: "org_random_\(index)_\(UUID().uuidString.prefix(6))", key: TestTokens.otherKey))
        }
        let forgedTokens = tokens
        let statuses = try await TestApp.run(environment: try environment(), migrate: true) { client, _, dependencies in
            try await TestApp.connectRedis(dependencies)
            var statuses: [HTTPResponse.Status] = []
            for token in forgedTokens {
                statuses.append(
                    try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(token)) { response in
                        expectBothHeaderFamilies(response)
                        return response.status
                    })
            }
            return statuses
        }
        #expect(statuses.prefix(Self.limit).allSatisfy { $0 == .unauthorized })
        #expect(statuses.dropFirst(Self.limit).allSatisfy { $0 == .tooManyRequests })
    }

    @Test("a verified token without an organisation counts against its user, not against the address")
    func verifiedWithoutOrganisation() async throws {
        let user = "user_noorg_\(UUID().uuidString.prefix(8))"
        let token = try await TestTokens.make(user: user, org: nil)
        try await TestApp.run(environment: try environment(), migrate: true) { client, _, dependencies in
            try await TestApp.connectRedis(dependencies)
            for remaining in [Self.limit - 1, Self.limit - 2] {
                try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(token)) { response in
                    #expect(response.status == .forbidden)
                    expectBothHeaderFamilies(response, remaining: remaining)
                }
            }
            // The address's bucket is untouched by them.
            try await client.execute(uri: "/v1/me", method: .get) { response in
                #expect(response.status == .unauthorized)
                expectBothHeaderFamilies(response, remaining: Self.limit - 1)
            }
        }
    }

    @Test("requests without any token share their address's bucket, and the 401s carry both header families")
    func missingTokens() async throws {
        try await TestApp.run(environment: try environment(), migrate: true) { client, _, dependencies in
            try await TestApp.connectRedis(dependencies)
            for index in 0..<(Self.limit + 2) {
                try await client.execute(uri: "/v1/me", method: .get) { response in
                    #expect(response.status == (index < Self.limit ? .unauthorized : .tooManyRequests))
                    expectBothHeaderFamilies(response, remaining: max(0, Self.limit - 1 - index))
                }
            }
        }
    }
}
