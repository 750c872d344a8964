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

/// Idempotency-Key on the real `POST /v1/calls/{id}/reprocess`, through the router otto-api
/// serves, with Clerk session tokens, and the tasks it enqueues counted in Redis
/// (`ENABLE_CELERY=true`: the reprocess goes to the queue's stream).
@Suite("Idempotency keys on reprocess")
struct ReprocessIdempotencyTests {
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var replayed: String?
        var contentType: String?
        var retryAfter: String?
        var body: String

        var taskID: String? {
            ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?["task_id"] as? String
        }
    }

    /// `POST /v1/calls/{callID}/reprocess` with a session token, a key and a JSON body, on a
    /// connection of its own to the running test server.
    static func reprocess(port: Int, callID: String, token: String, key: String?, body: String) async throws
        -> Answer
    {
        var fields = Probe.bearer(token)
        fields[.contentType] = "application/json"
        if let key { fields[.idempotencyKey] = key }
        let headers = fields
        let response = try await TestClient.withClient(
            host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120))
        ) { http in
            try await http.post("/v1/calls/\(callID)/reprocess", headers: headers, body: ByteBuffer(string: body))
        }
        return Answer(
            status: response.status, replayed: response.headers[.idempotentReplayed],
            contentType: response.headers[.contentType], retryAfter: response.headers[.retryAfter],
            body: response.body.map { String(buffer: $0) } ?? "")
    }

    /// Tasks in the application's default stream (each reprocess that ran enqueued one).
    static func queued(_ dependencies: Dependencies) async throws -> Int? {
        try await dependencies.redis!.send(["XLEN", dependencies.keys.stream("default")]).int
    }

    @Test("the same reprocess with a key replays its 202 and task id; the key with another body or call is 422")
    func replayAndMismatch() async throws {
        let metrics = APIMetrics()
        try await CallsTestApp.run(environment: try CallsRouteTests.environment(celery: true), metrics: metrics) {
            client, dependencies in
            let port = try #require(client.port)
            var seeded = try await CallsRouteTests.seed(dependencies, callSID: "CA-idem-replay")
            seeded.token = try await TestTokens.make(org: seeded.org, expiresIn: 900)
            let seed = seeded
            let key = UUID().uuidString
            let body = #"{"reason":"replay drill"}"#

            let first = try await Self.reprocess(
                port: port, callID: seed.callID, token: seed.token, key: key, body: body)
            #expect(first.status == .accepted, "\(first)")
            #expect(first.replayed == nil)
            let taskID = try #require(first.taskID, "\(first)")
            #expect(try await Self.queued(dependencies) == 1)

            let replay = try await Self.reprocess(
                port: port, callID: seed.callID, token: seed.token, key: key, body: body)
            #expect(replay.status == .accepted)
            #expect(replay.replayed == "true")
            #expect(replay.taskID == taskID)
            #expect(replay.body == first.body)
            #expect(replay.contentType == first.contentType)
            #expect(try await Self.queued(dependencies) == 1, "a replay enqueued again")

            let otherBody = try await Self.reprocess(
                port: port, callID: seed.callID, token: seed.token, key: key, body: #"{"reason":"another"}"#)
            #expect(otherBody.status == .unprocessableContent)
            #expect(otherBody.contentType == "application/problem+json")
            let otherCall = try await Self.reprocess(
                port: port, callID: UUID().uuidString.lowercased(), token: seed.token, key: key, body: body)
            #expect(otherCall.status == .unprocessableContent)
            #expect(try await Self.queued(dependencies) == 1, "a refused request enqueued")

            // Without a key the same request runs again.
            let unkeyed = try await Self.reprocess(
                port: port, callID: seed.callID, token: seed.token, key: nil, body: body)
            #expect(unkeyed.status == .accepted)
            #expect(unkeyed.taskID != taskID)
            #expect(try await Self.queued(dependencies) == 2)
        }
        let exposition = metrics.registry.emitToString()
        #expect(exposition.contains("otto_idempotency_total{outcome=\"stored\"} 1"), "\(exposition)")
        #expect(exposition.contains("otto_idempotency_total{outcome=\"replayed\"} 1"), "\(exposition)")
        #expect(exposition.contains("otto_idempotency_total{outcome=\"mismatch\"} 2"), "\(exposition)")
    }

    @Test(
        "20 reprocess requests with one key on 20 connections at once: one enqueues, the others get 409 while it runs"
    )
    func concurrentReprocessRunsOnce() async throws {
        // A database of the test's own: the first request is held on its calls table.
        let database = try await OwnDatabase.create("idem_reprocess")
        var environment = try CallsRouteTests.environment(celery: true)
        environment["DATABASE_URL"] = database.url
        let metrics = APIMetrics()
        let answers = try await CallsTestApp.run(environment: environment, metrics: metrics) { client, dependencies in
            let port = try #require(client.port)
            var seeded = try await CallsRouteTests.seed(dependencies, callSID: "CA-idem-race")
            seeded.token = try await TestTokens.make(org: seeded.org, expiresIn: 900)
            let seed = seeded
            let key = UUID().uuidString
            let body = #"{"reason":"race drill"}"#

            // The request that takes the key waits on the calls table (where reprocess looks the
            // call up), so it stays in progress while the other 19 arrive.
            let lock = try await TableLock(url: database.url, table: "calls", mode: "ACCESS EXCLUSIVE")
            let answered = NIOLockedValueBox<[Answer]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let answer = try await Self.reprocess(
                            port: port, callID: seed.callID, token: seed.token, key: key, body: body)
                        answered.withLockedValue { $0.append(answer) }
                    }
                }
                let othersAnswered = await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
                    answered.withLockedValue { $0.count } >= 19
                }
                #expect(othersAnswered, "answered while the key was held: \(answered.withLockedValue { $0 })")
                // The one left is the key's owner, waiting on the lock with its key in progress.
                #expect(try await database.lockWaiters() == 1)
                #expect(
                    try await database.count(
                        "SELECT count(*) AS n FROM idempotency_keys WHERE state = 'in_progress'", tenant: seed.tenant)
                        == 1)
                #expect(try await Self.queued(dependencies) == 0)
                await lock.release()
                try await group.waitForAll()
            }
            let all = answered.withLockedValue { $0 }
            #expect(try await Self.queued(dependencies) == 1)
            // Afterwards the key replays the owner's answer.
            let owner = try #require(all.first { $0.status == .accepted }, "\(all)")
            let replay = try await Self.reprocess(
                port: port, callID: seed.callID, token: seed.token, key: key, body: body)
            #expect(replay.status == .accepted)
            #expect(replay.replayed == "true")
            #expect(replay.taskID == owner.taskID)
            #expect(try await Self.queued(dependencies) == 1)
            return all
        }
        await database.drop()
        #expect(answers.count == 20)
        #expect(answers.filter { $0.status == .accepted && $0.replayed == nil }.count == 1, "\(answers)")
        let conflicts = answers.filter { $0.status == .conflict }
        #expect(conflicts.count == 19, "\(answers)")
        #expect(conflicts.allSatisfy { $0.contentType == "application/problem+json" && $0.retryAfter == "1" })
        let exposition = metrics.registry.emitToString()
        #expect(exposition.contains("otto_idempotency_total{outcome=\"conflict\"} 19"), "\(exposition)")
    }
}
