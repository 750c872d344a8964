import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OttoCore
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Calls API")
struct CallsRouteTests {
    struct Seed {
        var tenant: String
        var callID: String
    }

    /// A tenant with one call that came from a stored webhook event.
    static func seed(_ dependencies: Dependencies, callSID: String) async throws -> Seed {
        let pool = dependencies.postgres!
        let tenant = try await CallsTestApp.tenant(dependencies)
        let payload = #"{"CallSid":"\#(callSID)","CallStatus":"completed"}"#
        _ = try await WebhookEventStore(pool: pool).insert(
            tenantID: tenant, provider: .twilio, providerCallID: callSID, eventKind: "call-status",
            bodySHA256: UUID().uuidString, payloadJSON: payload)
        let callID = try await CallStore(pool: pool).upsert(
            tenantID: tenant, CallUpdate(provider: .twilio, providerCallID: callSID, status: "completed"))
        return Seed(tenant: tenant, callID: callID)
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, tenant: String?) async throws -> (
        HTTPResponse.Status, [String: Any]
    ) {
        var headers = HTTPFields()
        if let tenant { headers[CallsTestApp.testTenant] = tenant }
        return try await client.execute(uri: uri, method: .get, headers: headers) { response in
            (
                response.status,
                (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            )
        }
    }

    @Test("tenant A never reads, reprocesses or polls tenant B's calls and tasks")
    func isolation() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment(celery: true)) { client, dependencies in
            let a = try await Self.seed(dependencies, callSID: "CA-iso-a")
            let b = try await Self.seed(dependencies, callSID: "CA-iso-b")

            let (listStatus, list) = try await Self.get(client, "/v1/calls?limit=100", tenant: a.tenant)
            #expect(listStatus == .ok)
            let ids = (list["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [a.callID])
            #expect(try await Self.get(client, "/v1/calls/\(b.callID)", tenant: a.tenant).0 == .notFound)
            #expect(try await Self.get(client, "/v1/calls/\(a.callID)", tenant: a.tenant).0 == .ok)

            let reprocessB = try await client.execute(
                uri: "/v1/calls/\(b.callID)/reprocess", method: .post, headers: [CallsTestApp.testTenant: a.tenant]
            ) { $0.status }
            #expect(reprocessB == .notFound)

            let (status, taskID) = try await client.execute(
                uri: "/v1/calls/\(b.callID)/reprocess", method: .post,
                headers: [CallsTestApp.testTenant: b.tenant, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"reason":"test"}"#)
            ) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                return (response.status, body?["task_id"] as? String ?? "")
            }
            #expect(status == .accepted)
            let (ownStatus, task) = try await Self.get(client, "/v1/tasks/\(taskID)", tenant: b.tenant)
            #expect(ownStatus == .ok)
            #expect(task["name"] as? String == ProcessWebhookEventTask.name)
            #expect(task["state"] as? String == "queued")
            #expect(try await Self.get(client, "/v1/tasks/\(taskID)", tenant: a.tenant).0 == .notFound)
        }
    }

    @Test("the /v1 routes need a tenant, and validate their query")
    func validation() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let seed = try await Self.seed(dependencies, callSID: "CA-validate")
            #expect(try await Self.get(client, "/v1/calls", tenant: nil).0 == .unauthorized)
            #expect(try await Self.get(client, "/v1/calls?limit=0", tenant: seed.tenant).0 == .badRequest)
            #expect(try await Self.get(client, "/v1/calls?limit=101", tenant: seed.tenant).0 == .badRequest)
            #expect(try await Self.get(client, "/v1/calls?cursor=garbage", tenant: seed.tenant).0 == .badRequest)
            #expect(try await Self.get(client, "/v1/calls?status=bogus", tenant: seed.tenant).0 == .badRequest)
            #expect(try await Self.get(client, "/v1/calls?from=yesterday", tenant: seed.tenant).0 == .badRequest)
            let (status, page) = try await Self.get(
                client, "/v1/calls?status=completed&from=2000-01-01T00:00:00Z", tenant: seed.tenant)
            #expect(status == .ok)
            #expect((page["data"] as? [Any])?.count == 1)
        }
    }

    @Test("without the test flag the calls API sits behind authentication and the tenant header opens nothing")
    func productionRouterHasNoTestHeader() async throws {
        var environment = try CallsTestApp.environment()
        environment["CLERK_JWT_KEY"] = TestTokens.publicKeyPEM
        try await TestApp.run(environment: environment) { client, _, _ in
            for uri in ["/v1/calls", "/v1/calls/\(UUID().uuidString)", "/v1/tasks/\(UUID().uuidString)"] {
                try await client.execute(
                    uri: uri, method: .get, headers: [HTTPField.Name("X-Test-Tenant")!: UUID().uuidString]
                ) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                }
            }
        }
    }
}
