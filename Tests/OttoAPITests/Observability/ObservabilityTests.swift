import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Observability")
struct ObservabilityTests {
    static let traceparent = HTTPField.Name("traceparent")!

    func environment() throws -> [String: String] { try TestApp.guardedEnvironment("obs") }

    @Test("/metrics serves request, readiness and fleet metrics in Prometheus text")
    func metricsEndpoint() async throws {
        var environment = try environment()
        environment["ENABLE_CELERY"] = "true"
        try await TestApp.run(environment: environment) { client, configuration, dependencies in
            // A live worker's heartbeat with task totals, as the worker publishes it.
            let redis = try #require(dependencies.redis)
            let now = UnixTime.now()
            let heartbeat = WorkerHeartbeat(
                id: "w-metrics", host: "test", pid: 1, queues: ["default"], concurrency: 2, startedAt: now,
                beatAt: now, taskCounts: ["otto.ping": ["succeeded": 3, "failed": 1]],
                taskDurations: ["otto.ping": .init(count: 4, sumSeconds: 0.5)])
            let json = String(decoding: try JSONEncoder().encode(heartbeat), as: UTF8.self)
            _ = try await redis.send(["SET", dependencies.keys.worker("w-metrics"), json, "EX", "15"])
            _ = try await redis.send(["ZADD", dependencies.keys.workers, String(now), "w-metrics"])

            try await client.execute(uri: "/health", method: .get) { _ in }
            try await client.execute(uri: "/ready", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 1"))
                #expect(
                    text.contains(
                        "http_request_duration_seconds_bucket{method=\"GET\",route=\"/health\",status=\"200\""))
                #expect(text.contains("otto_dependency_checks_total{dependency=\"database\",result=\"pass\"} 1"))
                #expect(text.contains("otto_dependency_check_duration_seconds_count{dependency=\"redis\"} 1"))
                #expect(text.contains("otto_queue_depth{queue=\"default\",state=\"waiting\"} 0"))
                #expect(text.contains("otto_tasks_total{task=\"otto.ping\",queue=\"default\",outcome=\"succeeded\"} 3"))
                #expect(text.contains("otto_task_duration_seconds_count{task=\"otto.ping\"} 4"))
            }
            try await client.execute(
                uri: "/metrics", method: .get, headers: [HTTPField.Name("Fly-Client-IP")!: "203.0.113.9"]
            ) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("a valid traceparent is continued, an invalid one replaced, and the trace id is on the log line")
    func traceContext() async throws {
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let output = LogOutput.capturing()
        try await TestApp.run(environment: try environment(), output: output) { client, _, _ in
            try await client.execute(uri: "/health", method: .get, headers: [Self.traceparent: incoming]) { response in
                let outgoing = try #require(response.headers[Self.traceparent])
                let parsed = try #require(TraceContext.parse(outgoing))
                #expect(parsed.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
                #expect(parsed.spanID != "00f067aa0ba902b7")
            }
            for bad in [
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "ff-" + incoming.dropFirst(3), "garbage",
            ] {
                try await client.execute(uri: "/health", method: .get, headers: [Self.traceparent: String(bad)]) {
                    response in
                    let parsed = try #require(TraceContext.parse(response.headers[Self.traceparent] ?? ""))
                    #expect(parsed.traceID != "4bf92f3577b34da6a3ce929d0e0e4736")
                }
            }
        }
        let requestLines = output.capturedLines.filter { $0.contains("\"message\":\"request\"") }
        #expect(requestLines.first?.contains("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"") == true)
    }

    @Test(
        "with ENABLE_CELERY=false, a signed webhook and a reprocess request each end in an in-process task line with the request's trace id"
    )
    func traceIntoInProcessTasks() async throws {
        // The real routes of the default mode (tasks run in the API process); TraceIntoTasksTests
        // proves the same through otto-api and otto-worker with ENABLE_CELERY=true.
        let output = LogOutput.capturing()
        var environment = try CallsTestApp.environment(celery: false)
        environment["CLERK_JWT_KEY"] = TestTokens.publicKeyPEM
        let org = "org_trace_\(UUID().uuidString.prefix(8))"
        let session = try await TestTokens.make(org: org)
        let webhookTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let reprocessTrace = "0af7651916cd43dd8448eb211c80319c"
        try await CallsTestApp.run(environment: environment, output: output) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies, org: org)
            let fields = CallsTestApp.twilioFields(
                callSID: "CA-trace-\(UUID().uuidString.prefix(8))", status: "completed")
            let path = "/webhooks/twilio/\(tenant)"
            let signature = TwilioSignature(authToken: CallsTestApp.twilioToken).compute(
                url: CallsTestApp.baseURL + path, parameters: fields.map { (name: $0.0, value: $0.1) })
            let webhook = try await client.execute(
                uri: path, method: .post,
                headers: [
                    .contentType: "application/x-www-form-urlencoded",
                    HTTPField.Name("X-Twilio-Signature")!: signature,
                    Self.traceparent: "00-\(webhookTrace)-00f067aa0ba902b7-01",
                ],
                body: ByteBuffer(
                    string: fields.map { FormURLEncoded.encode($0.0) + "=" + FormURLEncoded.encode($0.1) }.joined(
                        separator: "&"))
            ) { $0.status }
            #expect(webhook == .ok)
            let webhookEnded = await eventually(timeout: .seconds(60)) {
                Self.taskEnds(output).contains {
                    $0["task_name"] as? String == ProcessWebhookEventTask.name
                        && $0["trace_id"] as? String == webhookTrace && $0["outcome"] as? String == "succeeded"
                }
            }
            #expect(webhookEnded, "\(output.capturedLines.suffix(20))")

            // The tenant's user asks for the call to be processed again.
            let callID = try await client.execute(uri: "/v1/calls", method: .get, headers: Probe.bearer(session)) {
                response in
                #expect(response.status == .ok)
                return ((Probe.json(response)["data"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            }
            let taskID = try await client.execute(
                uri: "/v1/calls/\(callID)/reprocess", method: .post,
                headers: [
                    .authorization: "Bearer \(session)", .contentType: "application/json",
                    Self.traceparent: "00-\(reprocessTrace)-b7ad6b7169203331-01",
                ],
                body: ByteBuffer(string: #"{"reason":"trace test"}"#)
            ) { response in
                #expect(response.status == .accepted)
                return Probe.json(response)["task_id"] as? String ?? ""
            }
            let reprocessEnded = await eventually(timeout: .seconds(60)) {
                Self.taskEnds(output).contains {
                    $0["task_id"] as? String == taskID && $0["trace_id"] as? String == reprocessTrace
                        && $0["outcome"] as? String == "succeeded"
                }
            }
            #expect(reprocessEnded, "\(output.capturedLines.suffix(20))")
        }
    }

    /// The task-end lines (`task finished`) captured so far, parsed.
    static func taskEnds(_ output: LogOutput) -> [[String: Any]] {
        LogLines.parse(output.capturedLines.joined(separator: "\n")).filter {
            $0["message"] as? String == "task finished"
        }
    }

    @Test("a body over MAX_BODY_BYTES answers 413 problem before routing, limiting or authentication")
    func bodyLimit() async throws {
        var environment = try environment()
        environment["MAX_BODY_BYTES"] = "100"
        environment["RATE_LIMIT_API"] = "1/1h"
        try await TestApp.run(environment: environment) { client, _, _ in
            for _ in 0..<2 {
                try await client.execute(
                    uri: "/v1/me", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 101)
                ) { response in
                    #expect(response.status == .contentTooLarge)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.headers[.xRateLimitLimit] == nil)
                    #expect(Probe.json(response)["request_id"] is String)
                }
            }
            try await client.execute(
                uri: "/v1/me", method: .get, body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 100)
            ) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("traceparent parsing accepts exactly the W3C version-00 shape")
    func traceparentParsing() {
        #expect(TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") != nil)
        #expect(TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01") == nil)
        #expect(TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra") == nil)
        #expect(TraceContext.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra") != nil)
        let fresh = TraceContext.start()
        #expect(TraceContext.parse(fresh.traceparent) == fresh)
    }
}
