import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OttoCore
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Idempotency keys")
struct IdempotencyTests {
    /// `POST /v1/test/echo`: counts runs, optionally sleeps, answers 201 with the run number.
    static func routes(_ counter: HandlerCounter) -> (RouteGroups) -> Void {
        { groups in
            groups.v1.post("/test/echo") { request, _ in
                let run = counter.increment()
                if let delay = request.headers[HTTPField.Name("X-Test-Delay-Ms")!].flatMap(Int.init) {
                    try await Task.sleep(for: .milliseconds(delay))
                }
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                headers[.location] = "/v1/test/\(run)"
                return Response(
                    status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"run\":\(run)}")))
            }
        }
    }

    func environment() throws -> [String: String] { try TestApp.guardedEnvironment("idem") }

    func headers(token: String, key: String?, delay: Int? = nil) -> HTTPFields {
        var fields = Probe.bearer(token)
        if let key { fields[.idempotencyKey] = key }
        if let delay { fields[HTTPField.Name("X-Test-Delay-Ms")!] = String(delay) }
        fields[.contentType] = "application/json"
        return fields
    }

    @Test("the same key and request replays the stored response; a different request with it is 422")
    func replayAndMismatch() async throws {
        let counter = HandlerCounter()
        let token = try await TestTokens.make(org: "org_idem_\(UUID().uuidString.prefix(8))")
        let key = UUID().uuidString
        let metrics = APIMetrics()
        try await TestApp.run(
            environment: try environment(), metrics: metrics, migrate: true, extraRoutes: Self.routes(counter)
        ) { client, _, _ in
            let body = ByteBuffer(string: "{\"a\":1}")
            try await client.execute(
                uri: "/v1/test/echo", method: .post, headers: headers(token: token, key: key), body: body
            ) { response in
                #expect(response.status == .created)
                #expect(String(buffer: response.body) == "{\"run\":1}")
                #expect(response.headers[.idempotentReplayed] == nil)
            }
            try await client.execute(
                uri: "/v1/test/echo", method: .post, headers: headers(token: token, key: key), body: body
            ) { response in
                #expect(response.status == .created)
                #expect(String(buffer: response.body) == "{\"run\":1}")
                #expect(response.headers[.idempotentReplayed] == "true")
                #expect(response.headers[.location] == "/v1/test/1")
                #expect(response.headers[.contentType] == "application/json")
            }
            try await client.execute(
                uri: "/v1/test/echo", method: .post, headers: headers(token: token, key: key),
                body: ByteBuffer(string: "{\"a\":2}")
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            // Without a key every request runs.
            try await client.execute(uri: "/v1/test/echo", method: .post, headers: headers(token: token, key: nil)) {
                response in
                #expect(String(buffer: response.body) == "{\"run\":2}")
            }
        }
        #expect(counter.value == 2)
        #expect(metrics.registry.emitToString().contains("otto_idempotency_total{outcome=\"replayed\"} 1"))
    }

    @Test("20 simultaneous requests with one key run the handler exactly once")
    func concurrentRequestsRunOnce() async throws {
        let counter = HandlerCounter()
        let token = try await TestTokens.make(org: "org_idem_\(UUID().uuidString.prefix(8))")
        let key = UUID().uuidString
        let statuses = try await TestApp.run(
            environment: try environment(), migrate: true, extraRoutes: Self.routes(counter)
        ) { client, _, _ in
            try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await client.execute(
                            uri: "/v1/test/echo", method: .post, headers: headers(token: token, key: key, delay: 500),
                            body: ByteBuffer(string: "{}")
                        ) { response in (response.status, response.headers[.idempotentReplayed]) }
                    }
                }
                return try await group.reduce(into: [(HTTPResponse.Status, String?)]()) { $0.append($1) }
            }
        }
        #expect(counter.value == 1)
        let executed = statuses.filter { (status: HTTPResponse.Status, replayed: String?) in
            status == .created && replayed == nil
        }
        let unexpected = statuses.filter { (status: HTTPResponse.Status, _: String?) in
            status != .created && status != .conflict
        }
        #expect(executed.count == 1)
        #expect(unexpected.isEmpty)
    }

    @Test("keys are per tenant, and keys over 255 characters are refused with 400")
    func perTenantAndLength() async throws {
        let counter = HandlerCounter()
        let first = try await TestTokens.make(org: "org_idem_a_\(UUID().uuidString.prefix(8))")
        let second = try await TestTokens.make(org: "org_idem_b_\(UUID().uuidString.prefix(8))")
        try await TestApp.run(environment: try environment(), migrate: true, extraRoutes: Self.routes(counter)) {
            client, _, _ in
            for token in [first, second] {
                try await client.execute(
                    uri: "/v1/test/echo", method: .post, headers: headers(token: token, key: "shared-key"),
                    body: ByteBuffer(string: "{}")
                ) { response in
                    #expect(response.status == .created)
                    #expect(response.headers[.idempotentReplayed] == nil)
                }
            }
            try await client.execute(
                uri: "/v1/test/echo", method: .post,
                headers: headers(token: first, key: String(repeating: "k", count: 256))
            ) { response in
                #expect(response.status == .badRequest)
            }
        }
        #expect(counter.value == 2)
    }
}
