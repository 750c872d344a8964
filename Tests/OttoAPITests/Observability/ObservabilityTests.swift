import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import OttoCore
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

    @Test("a task enqueued by a request ends with a log line carrying the request's trace id")
    func traceIntoTasks() async throws {
        let output = LogOutput.capturing()
        let logger = LoggingSetup.logger(label: "otto.api.test", output: output)
        let runner = InProcessTaskRunner(postgres: nil, keys: RedisKeys(), logger: logger)
        // The runner is a Service: it runs tasks only while its run() does.
        let running = Task { try await runner.run() }
        defer { running.cancel() }
        let incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        try await TestApp.run(
            environment: try environment(), output: output,
            extraRoutes: { groups in
                groups.router.post("/test/enqueue") { _, context in
                    _ = try await runner.enqueue(
                        name: "otto.ping", arguments: "{}", options: context.enqueueOptions())
                    return Response(status: .accepted)
                }
            }
        ) { client, _, _ in
            try await client.execute(uri: "/test/enqueue", method: .post, headers: [Self.traceparent: incoming]) {
                response in
                #expect(response.status == .accepted)
            }
        }
        let ended = await eventually(timeout: .seconds(5)) {
            output.capturedLines.contains {
                $0.contains("task finished") && $0.contains("0af7651916cd43dd8448eb211c80319c")
            }
        }
        #expect(ended)
    }

    @Test("a body over MAX_BODY_BYTES answers 413 problem before routing, limiting or authentication")
    func bodyLimit() async throws {
        var environment = try environment()
        environment["MAX_BODY_BYTES"] = "100"
        environment["RATE_LIMIT_API"] = "1/1m"
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

    @Test("a chunked body over MAX_BODY_BYTES answers 413 without being buffered whole")
    func chunkedBodyLimit() async throws {
        var environment = try environment()
        environment["MAX_BODY_BYTES"] = "100"
        let head = try await TestApp.run(environment: environment) { client, _, _ in
            let port = try #require(client.port)
            let chunk = String(repeating: "a", count: 150)
            let request =
                "POST /v1/me HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "96\r\n\(chunk)\r\n0\r\n\r\n"
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: request))
                var text = ""
                for try await part in inbound {
                    text += String(buffer: part)
                    if text.contains("\r\n\r\n") { break }
                }
                return text
            }
        }
        #expect(head.hasPrefix("HTTP/1.1 413"))
        #expect(head.lowercased().contains("content-type: application/problem+json"))
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
