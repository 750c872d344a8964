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

@Suite("Authentication")
struct AuthenticationTests {
    func environment() throws -> [String: String] { try TestApp.guardedEnvironment("auth") }

    @Test("a valid v2 token reaches /v1/me with its user, organisation and a stable tenant id")
    func meWithV2Token() async throws {
        let org = "org_\(UUID().uuidString.prefix(8))"
        let token = try await TestTokens.make(user: "user_42", org: org)
        try await TestApp.run(environment: try environment(), migrate: true) { client, _, dependencies in
            var tenants: [String] = []
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(token)) { response in
                    #expect(response.status == .ok)
                    let body = Probe.json(response)
                    #expect(body["user_id"] as? String == "user_42")
                    #expect(body["org_id"] as? String == org)
                    let tenant = try #require(body["tenant_id"] as? String)
                    #expect(UUID(uuidString: tenant) != nil)
                    tenants.append(tenant)
                }
            }
            #expect(tenants[0] == tenants[1])
            let rows = try await dependencies.postgres!.query(
                "SELECT id::text AS id FROM tenants WHERE clerk_org_id = $1", [org])
            #expect(rows.count == 1)
            #expect(rows.first?["id"] == tenants[0])
        }
    }

    @Test("a v1 token (org_id) and the __session cookie are accepted")
    func v1TokenAndCookie() async throws {
        let org = "org_\(UUID().uuidString.prefix(8))"
        let token = try await TestTokens.make(org: org, version: 1)
        try await TestApp.run(environment: try environment(), migrate: true) { client, _, _ in
            try await client.execute(uri: "/v1/me", method: .get, headers: [.cookie: "theme=dark; __session=\(token)"])
            { response in
                #expect(response.status == .ok)
                #expect(Probe.json(response)["org_id"] as? String == org)
            }
        }
    }

    @Test(
        "missing, forged, expired and not-yet-valid tokens answer 401 problem with WWW-Authenticate",
        arguments: ["missing", "garbage", "wrong-key", "expired", "not-yet-valid", "foreign-azp"])
    func refusedTokens(kind: String) async throws {
        var headers = HTTPFields()
        switch kind {
        case "garbage": headers = Probe.bearer("not.a.token")
        case "wrong-key": headers = Probe.bearer(try await TestTokens.make(key: TestTokens.otherKey))
        case "expired": headers = Probe.bearer(try await TestTokens.make(expiresIn: -30))
        case "not-yet-valid": headers = Probe.bearer(try await TestTokens.make(notBefore: 60))
        case "foreign-azp": headers = Probe.bearer(try await TestTokens.make(azp: "https://evil.example"))
        default: break
        }
        var environment = try environment()
        environment["ALLOWED_ORIGINS"] = "https://app.example"
        let sent = headers
        try await TestApp.run(environment: environment, migrate: true) { client, _, _ in
            try await client.execute(uri: "/v1/me", method: .get, headers: sent) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(Probe.json(response)["request_id"] is String)
            }
        }
    }

    @Test("expiry is checked with a small leeway, and a listed azp is accepted")
    func leewayAndAllowedAzp() async throws {
        var environment = try environment()
        environment["ALLOWED_ORIGINS"] = "https://app.example"
        try await TestApp.run(environment: environment, migrate: true) { client, _, _ in
            // Minted just before use: two seconds past expiry, inside the five-second leeway.
            let token = try await TestTokens.make(expiresIn: -2, azp: "https://app.example")
            try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(token)) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("a valid token without an organisation answers 403 problem")
    func noOrganisation() async throws {
        let token = try await TestTokens.make(org: nil)
        try await TestApp.run(environment: try environment(), migrate: true) { client, _, _ in
            try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(token)) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(Probe.json(response)["title"] as? String == "No active organisation")
            }
        }
    }

    @Test("the Frontend API host is decoded from the publishable key")
    func publishableKeyHost() {
        let encoded = Data("clerk.example.com$".utf8).base64EncodedString()
        #expect(ClerkFrontendAPI.host(publishableKey: "pk_test_" + encoded) == "clerk.example.com")
        #expect(
            ClerkFrontendAPI.jwksURL(publishableKey: "pk_live_" + encoded)
                == "https://clerk.example.com/.well-known/jwks.json")
        #expect(ClerkFrontendAPI.host(publishableKey: "pk_test_" + Data("no-dollar".utf8).base64EncodedString()) == nil)
        #expect(ClerkFrontendAPI.host(publishableKey: "sk_test_abc") == nil)
    }
}
