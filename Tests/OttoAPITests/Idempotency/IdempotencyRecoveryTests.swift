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

/// An Idempotency-Key whose request died is not stuck for 24 hours.
@Suite("Idempotency keys recover", .serialized)
struct IdempotencyRecoveryTests {
    struct BodyFailed: Error {}

    @Test("a response body that fails while it is collected releases the key, so a retry runs")
    func failedResponseWriteReleasesTheKey() async throws {
        let counter = HandlerCounter()
        let token = try await TestTokens.make(org: "org_idem_body_\(UUID().uuidString.prefix(8))")
        let key = UUID().uuidString
        try await TestApp.run(
            environment: try TestApp.guardedEnvironment("idem-body"), migrate: true,
            extraRoutes: { groups in
                // The first run's body stream breaks halfway; later runs answer normally.
                groups.v1.post("/test/streamed") { _, _ in
                    let run = counter.increment()
                    var headers = HTTPFields()
                    headers[.contentType] = "application/json"
                    return Response(
                        status: .created, headers: headers,
                        body: ResponseBody { writer in
                            try await writer.write(ByteBuffer(string: "{\"run\":"))
                            if run == 1 { throw BodyFailed() }
                            try await writer.write(ByteBuffer(string: "\(run)}"))
                            try await writer.finish(nil)
                        })
                }
            }
        ) { client, _, _ in
            var headers = Probe.bearer(token)
            headers[.idempotencyKey] = key
            headers[.contentType] = "application/json"
            try await client.execute(
                uri: "/v1/test/streamed", method: .post, headers: headers, body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status.code >= 500)
            }
            try await client.execute(
                uri: "/v1/test/streamed", method: .post, headers: headers, body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .created)
                #expect(String(buffer: response.body) == "{\"run\":2}")
            }
            try await client.execute(
                uri: "/v1/test/streamed", method: .post, headers: headers, body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.headers[.idempotentReplayed] == "true")
                #expect(String(buffer: response.body) == "{\"run\":2}")
            }
        }
        #expect(counter.value == 2)
    }

    @Test("kill -9 during a reprocess with a key: the retry is 409 while the lease runs, then runs once it lapses")
    func killedRequestsKeyIsRetriedAfterTheLease() async throws {
        let database = try await OwnDatabase.create("idem_kill")
        let environment = [
            "DATABASE_URL": database.url, "ENABLE_CELERY": "false", "CLERK_JWT_KEY": TestTokens.publicKeyPEM,
        ]
        let first = try await APIProcess(environment: environment)
        let token = try await TestTokens.make(org: "org_idem_kill_\(UUID().uuidString.prefix(8))", expiresIn: 900)
        let auth = ["Authorization": "Bearer \(token)"]
        let me = try await first.request("GET", "/v1/me", headers: auth)
        let tenant = try #require(
            (try JSONSerialization.jsonObject(with: Data(me.body.utf8)) as? [String: Any])?["tenant_id"] as? String,
            "\(me)")
        #expect(try await first.twilioWebhook(tenant: tenant, callSID: "CA-idem-kill", status: "completed") == 200)
        var callID: String?
        let stored = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            let listed = try? await first.request("GET", "/v1/calls", headers: auth)
            let object = listed.flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any]
            }
            callID = (object?["data"] as? [[String: Any]])?.first?["id"] as? String
            return callID != nil
        }
        #expect(stored)
        let call = try #require(callID)

        // The reprocess request waits on the calls table while holding its key, then its process dies.
        let lock = try await TableLock(url: database.url, table: "calls", mode: "ACCESS EXCLUSIVE")
        let key = UUID().uuidString
        let request = auth.merging(["Idempotency-Key": key, "Content-Type": "application/json"]) { _, new in new }
        let body = #"{"reason": "crash drill"}"#
        let inFlight = Task {
            try await first.request("POST", "/v1/calls/\(call)/reprocess", headers: request, body: body)
        }
        let holding = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            (try? await database.count(
                "SELECT count(*) AS n FROM idempotency_keys WHERE state = 'in_progress'", tenant: tenant)) == 1
        }
        #expect(holding)
        let claimed = ContinuousClock.now
        #expect(
            await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                ((try? await database.lockWaiters()) ?? 0) >= 1
            })
        first.child.signal(SIGKILL)
        _ = await first.child.waitForExit(timeout: .seconds(10))
        #expect(try await inFlight.value.status == 0)
        await lock.release()

        let second = try await APIProcess(environment: environment)
        // The 60 s lease is the contract under test: the kill, the restart and this request take
        // a moment (measured: 0.3 s here), so the key is still held.
        let early = try await second.request("POST", "/v1/calls/\(call)/reprocess", headers: request, body: body)
        print("idempotency lease: the retry after the restart came \(ContinuousClock.now - claimed) after the claim")
        #expect(early.status == 409, "\(early)")
        var answered: (status: Int, body: String) = (0, "")
        let recovered = await eventually(timeout: .seconds(180), every: .seconds(2)) {
            answered =
                (try? await second.request("POST", "/v1/calls/\(call)/reprocess", headers: request, body: body))
                ?? (0, "")
            return answered.status != 409
        }
        #expect(recovered)
        #expect(answered.status == 202, "\(answered)")
        let replay = try await second.request("POST", "/v1/calls/\(call)/reprocess", headers: request, body: body)
        #expect(replay.status == 202)
        #expect(replay.body == answered.body)
        second.child.signal(SIGTERM)
        #expect(await second.child.waitForExit(timeout: .seconds(30)) == 0)
        await database.drop()
    }
}
