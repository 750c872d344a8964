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

/// CORS compares a preflight's method exactly, and adds `Origin` to a handler's own `Vary`.
@Suite("CORS methods and Vary")
struct CORSPreflightMethodAndVaryTests {
    static let allowed = "https://app.example"

    func environment() throws -> [String: String] {
        var environment = try TestApp.guardedEnvironment("cors-exact")
        environment["ALLOWED_ORIGINS"] = Self.allowed
        return environment
    }

    @Test(
        "a preflight method that is not exactly an allowed one gets no CORS headers",
        arguments: ["T", "PO", "GET, POST", "ET", "PATCHX", "post", "TRACE", "CONNECT", ""])
    func inexactMethodRefused(method: String) async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            try await client.execute(
                uri: "/v1/me", method: .options,
                headers: [.testOrigin: Self.allowed, .accessControlRequestMethod: method]
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == nil, "method '\(method)'")
                #expect(response.headers[.accessControlAllowMethods] == nil)
                #expect(response.headers[.vary]?.contains("Origin") == true)
            }
        }
    }

    @Test("each allowed method passes a preflight", arguments: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    func exactMethodAllowed(method: String) async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            try await client.execute(
                uri: "/v1/me", method: .options,
                headers: [.testOrigin: Self.allowed, .accessControlRequestMethod: method]
            ) { response in
                #expect(response.headers[.accessControlAllowOrigin] == Self.allowed)
            }
        }
    }

    @Test("a handler's own Vary (/ready varies on Accept) is kept and Origin added, for every kind of origin")
    func handlerVaryKept() async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            for origin in [Self.allowed, "https://evil.example", nil] {
                var headers: HTTPFields = [.accept: "application/health+json"]
                if let origin { headers[.testOrigin] = origin }
                try await client.execute(uri: "/ready", method: .get, headers: headers) { response in
                    let vary = response.headers[values: .vary].flatMap { $0.split(separator: ",") }.map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }
                    #expect(vary.contains("Accept"), "origin \(origin ?? "none"): Vary \(vary)")
                    #expect(vary.contains("Origin"), "origin \(origin ?? "none"): Vary \(vary)")
                    #expect(vary.filter { $0 == "Origin" }.count == 1)
                    if origin == Self.allowed { #expect(response.headers[.accessControlAllowOrigin] == Self.allowed) }
                }
            }
        }
    }

    @Test("problem responses carry Vary: Origin once, and the CORS headers for an allowed origin")
    func problemVary() async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            try await client.execute(uri: "/v1/me", method: .get, headers: [.testOrigin: Self.allowed]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[values: .vary] == ["Origin"])
                #expect(response.headers[.accessControlAllowOrigin] == Self.allowed)
                #expect(response.headers[.accessControlExposeHeaders]?.contains("X-RateLimit-Remaining") == true)
            }
        }
    }
}
