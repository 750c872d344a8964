import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

/// The operations served through the generated `APIProtocol` answer as the hand-written routes
/// did: the same headers, their errors as problem+json inside the layers that decorate them (the
/// rate limit's headers, the request id), and each behind its own group's middleware.
@Suite("Generated operations")
struct GeneratedOperationsTests {
    @Test("generated answers are never cached and carry the media type without a charset")
    func responseHeaders() async throws {
        try await CallsTestApp.run(environment: try CallsRouteTests.environment()) { client, dependencies in
            let seed = try await CallsRouteTests.seed(dependencies, callSID: "CA-headers")
            let requests: [(String, HTTPFields, String)] = [
                ("/health", [:], "application/json"),
                ("/ready", [:], "application/json"),
                ("/ready", [.accept: "application/health+json"], "application/health+json"),
                ("/v1/me", [.authorization: "Bearer \(seed.token)"], "application/json"),
                ("/v1/calls", [.authorization: "Bearer \(seed.token)"], "application/json"),
                ("/v1/calls/\(seed.callID)", [.authorization: "Bearer \(seed.token)"], "application/json"),
            ]
            for (uri, headers, contentType) in requests {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
                    #expect(response.headers[.contentType] == contentType, "\(uri)")
                    #expect(response.headers[.cacheControl] == "no-store", "\(uri)")
                }
            }
        }
    }

    @Test("a query value the generated code cannot decode is a 400 problem with the rate limit's headers")
    func decodingErrorIsProblemInsideRateLimit() async throws {
        try await CallsTestApp.run(environment: try CallsRouteTests.environment()) { client, dependencies in
            try await TestApp.connectRedis(dependencies)
            let seed = try await CallsRouteTests.seed(dependencies, callSID: "CA-decode")
            for query in ["limit=ten", "status=bogus", "from=yesterday"] {
                try await client.execute(
                    uri: "/v1/calls?\(query)", method: .get, headers: [.authorization: "Bearer \(seed.token)"]
                ) { response in
                    #expect(response.status == .badRequest, "\(query)")
                    #expect(response.headers[.contentType] == "application/problem+json", "\(query)")
                    let body = Probe.json(response)
                    #expect(body["status"] as? Int == 400, "\(query)")
                    #expect((body["request_id"] as? String)?.isEmpty == false, "\(query)")
                    #expect(response.headers[HTTPField.Name("RateLimit-Policy")!] != nil, "\(query)")
                    #expect(response.headers[HTTPField.Name("X-RateLimit-Remaining")!] != nil, "\(query)")
                }
            }
        }
    }

    @Test("a body with another media type than the document's is a 415 problem")
    func unsupportedMediaType() async throws {
        try await CallsTestApp.run(environment: try CallsRouteTests.environment()) { client, dependencies in
            let seed = try await CallsRouteTests.seed(dependencies, callSID: "CA-media")
            try await client.execute(
                uri: "/v1/calls/\(seed.callID)/reprocess", method: .post,
                headers: [.authorization: "Bearer \(seed.token)", .contentType: "text/plain"],
                body: ByteBuffer(string: #"{"reason":"x"}"#)
            ) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("an Accept that admits none of the document's media types is a 406 problem")
    func notAcceptable() async throws {
        try await CallsTestApp.run(environment: try CallsRouteTests.environment()) { client, _ in
            try await client.execute(uri: "/health", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(response.status == .notAcceptable)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            // Browsers' and curl's Accept admit JSON through */*.
            try await client.execute(
                uri: "/health", method: .get, headers: [.accept: "text/html,application/xhtml+xml,*/*;q=0.8"]
            ) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("each generated operation answers only at its documented path, behind its group's middleware")
    func groupsKeepTheirMiddleware() async throws {
        try await CallsTestApp.run(environment: try CallsRouteTests.environment()) { client, _ in
            // /v1: session verification first (401 without a token).
            try await client.execute(uri: "/v1/me", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            // /internal: the internal-only check (403 through a proxy).
            try await client.execute(
                uri: "/internal/worker/heartbeat", method: .get,
                headers: [HTTPField.Name("Fly-Client-IP")!: "203.0.113.7"]
            ) { response in
                #expect(response.status == .forbidden)
            }
            // /health: no session, no internal check, no rate limit.
            try await client.execute(
                uri: "/health", method: .get, headers: [HTTPField.Name("Fly-Client-IP")!: "203.0.113.7"]
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("RateLimit-Policy")!] == nil)
            }
            // Not mounted under another group's prefix.
            for uri in ["/v1/health", "/internal/health", "/me", "/worker/heartbeat", "/v1/internal/worker/heartbeat"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
        }
    }
}
