import Foundation
import HTTPTypes
import HummingbirdTesting
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("CORS")
struct CORSTests {
    static let allowed = "https://app.example"

    func environment(origins: String = CORSTests.allowed) throws -> [String: String] {
        var environment = try TestApp.guardedEnvironment("cors")
        environment["ALLOWED_ORIGINS"] = origins
        return environment
    }

    func preflight(origin: String, method: String = "POST", headers: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.testOrigin: origin, .accessControlRequestMethod: method]
        if let headers { fields[.accessControlRequestHeaders] = headers }
        return fields
    }

    @Test("a preflight from an allowed origin lists methods, headers, credentials and a max age")
    func allowedPreflight() async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            try await client.execute(
                uri: "/v1/me", method: .options,
                headers: preflight(
                    origin: Self.allowed,
                    headers: "Authorization, Idempotency-Key, X-Request-ID, Content-Type, traceparent")
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == Self.allowed)
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                let allowedHeaders = response.headers[.accessControlAllowHeaders]?.lowercased() ?? ""
                for name in ["authorization", "idempotency-key", "x-request-id", "content-type", "traceparent"] {
                    #expect(allowedHeaders.contains(name))
                }
                #expect(response.headers[.accessControlMaxAge] == CORSMiddleware.maxAge)
                #expect(response.headers[.vary]?.contains("Origin") == true)
            }
        }
    }

    @Test("a preflight from another origin, or asking for an unlisted header, gets no CORS headers")
    func refusedPreflight() async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            for headers in [
                preflight(origin: "https://evil.example"), preflight(origin: Self.allowed, headers: "X-Evil"),
            ] {
                try await client.execute(uri: "/v1/me", method: .options, headers: headers) { response in
                    #expect(response.headers[.accessControlAllowOrigin] == nil)
                    #expect(response.headers[.accessControlAllowCredentials] == nil)
                    #expect(response.headers[.vary]?.contains("Origin") == true)
                }
            }
        }
    }

    @Test("actual responses carry CORS headers for allowed origins only, errors included, and Vary always")
    func actualRequests() async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            try await client.execute(uri: "/health", method: .get, headers: [.testOrigin: Self.allowed]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == Self.allowed)
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(response.headers[.vary]?.contains("Origin") == true)
            }
            try await client.execute(uri: "/v1/me", method: .get, headers: [.testOrigin: Self.allowed]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.accessControlAllowOrigin] == Self.allowed)
            }
            try await client.execute(uri: "/health", method: .get, headers: [.testOrigin: "https://evil.example"]) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                #expect(response.headers[.vary]?.contains("Origin") == true)
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.headers[.vary]?.contains("Origin") == true)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test("* in development allows any origin without credentials")
    func wildcardInDevelopment() async throws {
        try await TestApp.run(environment: try environment(origins: "*")) { client, _, _ in
            try await client.execute(uri: "/health", method: .get, headers: [.testOrigin: "https://any.example"]) {
                response in
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlAllowCredentials] == nil)
            }
        }
    }

    @Test("* is refused by configuration in production")
    func wildcardRefusedWhenStrict() throws {
        #expect {
            try APIProcessConfiguration.load(environment: ["APP_ENV": "production", "ALLOWED_ORIGINS": "*"])
        } throws: { error in
            "\(error)".contains("ALLOWED_ORIGINS")
        }
    }
}
