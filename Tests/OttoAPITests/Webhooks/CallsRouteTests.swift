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

/// The calls and tasks API through the router otto-api serves: Clerk session tokens verified with
/// `CLERK_JWT_KEY`, the tenant resolved from the token's organisation, row-level security below.
@Suite("Calls API")
struct CallsRouteTests {
    struct Seed {
        var org: String
        var token: String
        var tenant: String
        var callID: String
    }

    static func environment(celery: Bool = false) throws -> [String: String] {
        var environment = try CallsTestApp.environment(celery: celery)
        environment["CLERK_JWT_KEY"] = TestTokens.publicKeyPEM
        return environment
    }

    /// An organisation with a session token, its tenant (the one the token resolves to) and one
    /// call that came from a stored webhook event.
    static func seed(_ dependencies: Dependencies, callSID: String) async throws -> Seed {
        let pool = dependencies.postgres!
        let org = "org_calls_\(UUID().uuidString.prefix(8))"
        let tenant = try await CallsTestApp.tenant(dependencies, org: org)
        let payload = #"{"CallSid":"\#(callSID)","CallStatus":"completed"}"#
        _ = try await WebhookEventStore(pool: pool).insert(
            tenantID: tenant, provider: .twilio, providerCallID: callSID, eventKind: "call-status",
            bodySHA256: UUID().uuidString, payloadJSON: payload)
        let callID = try await CallStore(pool: pool).upsert(
            tenantID: tenant, CallUpdate(provider: .twilio, providerCallID: callSID, status: "completed"))
        return Seed(org: org, token: try await TestTokens.make(org: org), tenant: tenant, callID: callID)
    }

    struct Answer {
        var status: HTTPResponse.Status
        var contentType: String?
        var body: String
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
        /// A problem document (RFC 9457) with this status.
        var isProblem: Bool {
            contentType == "application/problem+json" && json["status"] as? Int == Int(status.code)
        }
    }

    static func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?,
        body: String? = nil
    ) async throws -> Answer {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }
        ) { response in
            Answer(
                status: response.status, contentType: response.headers[.contentType],
                body: String(buffer: response.body))
        }
    }

    @Test("tenant A never reads, reprocesses or polls tenant B's calls and tasks, with real session tokens")
    func isolation() async throws {
        try await CallsTestApp.run(environment: try Self.environment(celery: true)) { client, dependencies in
            let a = try await Self.seed(dependencies, callSID: "CA-iso-a")
            let b = try await Self.seed(dependencies, callSID: "CA-iso-b")

            // Each token resolves to its own organisation's tenant.
            for seed in [a, b] {
                let me = try await Self.send(client, .get, "/v1/me", token: seed.token)
                #expect(me.status == .ok)
                #expect(me.json["tenant_id"] as? String == seed.tenant)
            }

            let list = try await Self.send(client, .get, "/v1/calls?limit=100", token: a.token)
            #expect(list.status == .ok)
            let ids = (list.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [a.callID])
            #expect(!list.body.contains(b.callID))

            let foreign = try await Self.send(client, .get, "/v1/calls/\(b.callID)", token: a.token)
            #expect(foreign.status == .notFound)
            #expect(foreign.isProblem)
            #expect(!foreign.body.contains("CA-iso-b"))
            let own = try await Self.send(client, .get, "/v1/calls/\(a.callID)", token: a.token)
            #expect(own.status == .ok)
            #expect(own.json["id"] as? String == a.callID)

            let reprocessForeign = try await Self.send(
                client, .post, "/v1/calls/\(b.callID)/reprocess", token: a.token, body: #"{"reason":"not mine"}"#)
            #expect(reprocessForeign.status == .notFound)
            #expect(reprocessForeign.isProblem)
            #expect(
                try await dependencies.redis!.send(["XLEN", dependencies.keys.stream("default")]).int == 0,
                "a refused reprocess enqueued a task")

            let reprocessOwn = try await Self.send(
                client, .post, "/v1/calls/\(b.callID)/reprocess", token: b.token, body: #"{"reason":"test"}"#)
            #expect(reprocessOwn.status == .accepted)
            let taskID = try #require(reprocessOwn.json["task_id"] as? String, "\(reprocessOwn.body)")
            let task = try await Self.send(client, .get, "/v1/tasks/\(taskID)", token: b.token)
            #expect(task.status == .ok)
            #expect(task.json["id"] as? String == taskID)
            #expect(task.json["name"] as? String == ProcessWebhookEventTask.name)
            #expect(task.json["state"] as? String == "queued")
            let foreignTask = try await Self.send(client, .get, "/v1/tasks/\(taskID)", token: a.token)
            #expect(foreignTask.status == .notFound)
            #expect(foreignTask.isProblem)
            #expect(!foreignTask.body.contains(ProcessWebhookEventTask.name))
        }
    }

    @Test("the /v1 calls and tasks routes need a session token, and refuse bad input with 400 problems")
    func validation() async throws {
        try await CallsTestApp.run(environment: try Self.environment()) { client, dependencies in
            let seed = try await Self.seed(dependencies, callSID: "CA-validate")
            for (method, uri) in [
                (HTTPRequest.Method.get, "/v1/calls"), (.get, "/v1/calls/\(seed.callID)"),
                (.post, "/v1/calls/\(seed.callID)/reprocess"), (.get, "/v1/tasks/\(UUID().uuidString)"),
            ] {
                let missing = try await Self.send(client, method, uri, token: nil)
                #expect(missing.status == .unauthorized, "\(method) \(uri)")
                #expect(missing.isProblem, "\(method) \(uri)")
                let forged = try await TestTokens.make(org: seed.org, key: TestTokens.otherKey)
                #expect(try await Self.send(client, method, uri, token: forged).status == .unauthorized)
            }
            for query in ["limit=0", "limit=101", "limit=ten", "cursor=garbage", "status=bogus", "from=yesterday"] {
                let answer = try await Self.send(client, .get, "/v1/calls?\(query)", token: seed.token)
                #expect(answer.status == .badRequest, "\(query): \(answer.body)")
                #expect(answer.isProblem, "\(query): \(answer.body)")
            }
            let badBody = try await Self.send(
                client, .post, "/v1/calls/\(seed.callID)/reprocess", token: seed.token, body: "[not json")
            #expect(badBody.status == .badRequest)
            #expect(badBody.isProblem)
            for uri in ["/v1/calls/not-a-uuid", "/v1/tasks/not-a-uuid", "/v1/calls/\(UUID().uuidString)"] {
                let answer = try await Self.send(client, .get, uri, token: seed.token)
                #expect(answer.status == .notFound, "\(uri)")
                #expect(answer.isProblem, "\(uri)")
            }
            let page = try await Self.send(
                client, .get, "/v1/calls?status=completed&from=2000-01-01T00:00:00Z", token: seed.token)
            #expect(page.status == .ok)
            #expect((page.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [seed.callID])
        }
    }

    @Test("an X-Test-Tenant header opens nothing: the calls API sits behind session verification")
    func noTestTenantHeader() async throws {
        try await CallsTestApp.run(environment: try Self.environment()) { client, dependencies in
            let seed = try await Self.seed(dependencies, callSID: "CA-no-header")
            for uri in ["/v1/calls", "/v1/calls/\(seed.callID)", "/v1/tasks/\(UUID().uuidString)"] {
                try await client.execute(
                    uri: uri, method: .get, headers: [HTTPField.Name("X-Test-Tenant")!: seed.tenant]
                ) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                }
            }
        }
    }
}
