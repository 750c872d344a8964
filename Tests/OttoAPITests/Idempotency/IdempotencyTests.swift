import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Idempotency keys")
struct IdempotencyTests {
    /// `POST /v1/test/echo`: counts runs, waits at `hold` when given (the request then stays in
    /// progress until the test opens it), answers 201 with the run number.
    static func routes(_ counter: HandlerCounter, hold: Gate? = nil) -> (RouteGroups) -> Void {
        { groups in
            groups.v1.post("/test/echo") { _, _ in
                let run = counter.increment()
                if let hold { await hold.wait() }
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                headers[.location] = "/v1/test/\(run)"
                return Response(
                    status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"run\":\(run)}")))
            }
        }
    }

    func environment() throws -> [String: String] { try TestApp.guardedEnvironment("idem") }

    func headers(token: String, key: String?) -> HTTPFields {
        var fields = Probe.bearer(token)
        if let key { fields[.idempotencyKey] = key }
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

    @Test(
        "20 requests with one key on 20 connections at once: the handler runs once, the other 19 get 409 while it holds the key"
    )
    func concurrentRequestsRunOnce() async throws {
        let counter = HandlerCounter()
        let hold = Gate()
        let token = try await TestTokens.make(org: "org_idem_\(UUID().uuidString.prefix(8))", expiresIn: 900)
        let key = UUID().uuidString
        let metrics = APIMetrics()
        let headers = headers(token: token, key: key)
        let answers = try await TestApp.run(
            environment: try environment(), metrics: metrics, migrate: true,
            extraRoutes: Self.routes(counter, hold: hold)
        ) { client, _, _ in
            let port = try #require(client.port)
            let answered = NIOLockedValueBox<[(status: HTTPResponse.Status, replayed: String?)]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Each request on a TCP connection of its own, so all 20 reach the server together
                // (the live test client has one connection and would send them one by one).
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await Self.post(
                            "/v1/test/echo", port: port, headers: headers, body: "{}")
                        answered.withLockedValue {
                            $0.append((response.status, response.headers[.idempotentReplayed]))
                        }
                    }
                }
                // The request that took the key waits in the handler; every other one must be
                // answered meanwhile. (A broken middleware runs them all into the handler, and the
                // deadline, which only a hung run reaches, lets them go so the counts below fail.)
                let othersAnswered = await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
                    answered.withLockedValue { $0.count } >= 19
                }
                #expect(othersAnswered, "answered while the key was held: \(answered.withLockedValue { $0 })")
                hold.open()
                try await group.waitForAll()
            }
            return answered.withLockedValue { $0 }
        }
        #expect(counter.value == 1)
        #expect(answers.count == 20)
        #expect(answers.filter { $0.status == .created && $0.replayed == nil }.count == 1, "\(answers)")
        #expect(answers.filter { $0.status == .conflict }.count == 19, "\(answers)")
        let exposition = metrics.registry.emitToString()
        #expect(exposition.contains("otto_idempotency_total{outcome=\"conflict\"} 19"), "\(exposition)")
        #expect(exposition.contains("otto_idempotency_total{outcome=\"stored\"} 1"), "\(exposition)")
    }

    /// `POST path` on a connection of its own to the running test server.
    static func post(_ path: String, port: Int, headers: HTTPFields, body: String) async throws -> TestClient.Response {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120))) {
            http in try await http.post(path, headers: headers, body: ByteBuffer(string: body))
        }
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
