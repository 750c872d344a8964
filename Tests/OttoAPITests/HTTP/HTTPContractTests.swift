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

@Suite("HTTP contract")
struct HTTPContractTests {
    static let requestID = HTTPField.Name("X-Request-ID")!

    func environment() throws -> [String: String] {
        ["DATABASE_URL": try TestServices.databaseURL(), "REDIS_URL": try TestServices.redisURL()]
    }

    @Test(
        "a valid X-Request-ID is kept and an invalid one replaced",
        arguments: [
            ("abc-123_X.y", true), (String(repeating: "a", count: 128), true),
            (String(repeating: "a", count: 129), false),
            ("has space", false), ("semi;colon", false), ("", false),
        ])
    func requestIDs(incoming: String, kept: Bool) async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            try await client.execute(uri: "/health", method: .get, headers: [Self.requestID: incoming]) { response in
                let echoed = try #require(response.headers[Self.requestID])
                #expect((echoed == incoming) == kept)
                #expect(RequestID.isValid(echoed))
            }
        }
    }

    @Test("unknown routes answer 404 problem+json with the request id")
    func notFound() async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            try await client.execute(uri: "/nope", method: .get, headers: [Self.requestID: "req-404"]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(body["status"] as? Int == 404)
                #expect(body["request_id"] as? String == "req-404")
                #expect(body["type"] is String && body["title"] is String && body["detail"] is String)
            }
        }
    }

    @Test("a wrong method answers 405 with Allow")
    func methodNotAllowed() async throws {
        try await TestApp.run(environment: try environment()) { client, _, _ in
            try await client.execute(uri: "/health", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow]?.contains("GET") == true)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            for (uri, method, allow) in [
                ("/v1/calls/abc", HTTPRequest.Method.delete, "GET"), ("/v1/calls/abc/reprocess", .get, "POST"),
                ("/webhooks/twilio/abc", .get, "POST"), ("/openapi.json", .put, "GET"),
            ] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                }
            }
        }
    }

    @Test("internal routes answer loopback, refuse proxied requests, and accept the token")
    func internalOnly() async throws {
        var environment = try environment()
        environment["INTERNAL_API_TOKEN"] = "internal-token-for-tests-0001"
        environment["REDIS_KEY_PREFIX"] = TestServices.uniquePrefix("internal")
        try await TestApp.run(environment: environment) { client, _, _ in
            // Loopback without a token: allowed (503 because no worker is alive, not 403).
            try await client.execute(uri: "/internal/worker/heartbeat", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
            for header in ["Fly-Client-IP", "X-Forwarded-For"] {
                try await client.execute(
                    uri: "/internal/worker/heartbeat", method: .get, headers: [HTTPField.Name(header)!: "203.0.113.9"]
                ) { response in
                    #expect(response.status == .forbidden)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
            try await client.execute(
                uri: "/internal/worker/heartbeat", method: .get,
                headers: [
                    HTTPField.Name("X-Forwarded-For")!: "203.0.113.9", .authorization: "Bearer wrong-token-xxxxxxxx",
                ]
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/internal/worker/heartbeat", method: .get,
                headers: [
                    HTTPField.Name("X-Forwarded-For")!: "203.0.113.9",
                    .authorization: "Bearer internal-token-for-tests-0001",
                ]
            ) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test("Allow comes from the router's own routes, with parameters as wildcards")
    func allowedMethodsFromRouter() throws {
        let router = try OpenAPITests.productionRouter()
        let allowed = AllowedMethods(router: router)
        #expect(allowed.methods(matching: "/v1/calls/abc") == [.get])
        #expect(allowed.methods(matching: "/v1/calls/abc/reprocess") == [.post])
        #expect(allowed.methods(matching: "/webhooks/twilio/abc") == [.post])
        #expect(allowed.methods(matching: "/v1/other").isEmpty)
    }
}
