import Foundation
import HTTPTypes
import HummingbirdTesting
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

/// The server defends itself against slow clients: trickling heads, stalled bodies and idle
/// keep-alive connections are closed, and oversized heads are refused. Each test talks to the
/// real application's server over its own raw TCP connections.
@Suite("Slow clients")
struct SlowClientTests {
    func environment(_ extra: [String: String] = [:]) throws -> [String: String] {
        try TestApp.guardedEnvironment("slow").merging(extra) { _, new in new }
    }

    /// How many connections the server closed for `reason`, from its metrics registry.
    func closes(_ metrics: APIMetrics, _ reason: String) -> Int {
        let line = metrics.registry.emitToString().split(separator: "\n").first {
            $0.hasPrefix("otto_http_connections_closed_total{reason=\"\(reason)\"}")
        }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? 0
    }

    @Test("forty trickling heads never stop /health, and each is closed by the server (production header timeout)")
    func tricklingHeads() async throws {
        let metrics = APIMetrics()
        try await TestApp.run(environment: try environment(), metrics: metrics) { client, _, _ in
            let port = try #require(client.port)
            // The test client's own connection sends its first head now, so it is idle (not
            // waiting for a head) and only the tricklers can time out on theirs.
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            var tricklers: [RawHTTPConnection] = []
            for _ in 0..<40 { tricklers.append(try await RawHTTPConnection.connect(port: port)) }
            let connections = tricklers
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in connections {
                    group.addTask {
                        // A head that never completes: one byte a second until the server hangs up.
                        let head =
                            "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: "
                            + String(repeating: "a", count: 300)
                        for character in head {
                            if connection.isClosed || Task.isCancelled { return }
                            try? await connection.send(String(character))
                            try? await Task.sleep(for: .seconds(1))
                        }
                    }
                }
                // While they trickle, /health answers on fresh connections.
                for _ in 0..<8 {
                    let fresh = try await RawHTTPConnection.connect(port: port)
                    let response = try await fresh.get("/health")
                    #expect(response?.status == 200)
                    await fresh.close()
                    try await Task.sleep(for: .seconds(1))
                }
                // The server closes every trickling connection (one generous deadline for all):
                // the production header timeout is about 10 s (all 40 closed after 10.3 s here);
                // 90 s is nine times that, and far below the 300 s a trickle would take to finish.
                _ = await eventually(timeout: .seconds(90)) { connections.allSatisfy(\.isClosed) }
                #expect(connections.filter(\.isClosed).count == 40)
                group.cancelAll()
            }
            // (Only matters when the test fails: an open connection would hold the server's shutdown.)
            for connection in connections { await connection.close() }
            for connection in connections {
                // Nothing was answered: the head never completed.
                #expect(connection.receivedText.isEmpty)
            }
            #expect(closes(metrics, "header_timeout") == 40)
        }
    }

    @Test("a body that stalls is closed after HTTP_BODY_TIMEOUT")
    func stalledBody() async throws {
        let metrics = APIMetrics()
        try await TestApp.run(environment: try environment(["HTTP_BODY_TIMEOUT": "2"]), metrics: metrics) {
            client, _, _ in
            let connection = try await RawHTTPConnection.connect(port: try #require(client.port))
            try await connection.send(
                "POST /webhooks/twilio/\(UUID().uuidString.lowercased()) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nCallSid=CA1")
            // Closed 2.0 s after the stall here; the deadline only fails a server that waits on.
            #expect(await connection.waitForClose(timeout: .seconds(60)))
            #expect(closes(metrics, "body_timeout") == 1)
            await connection.close()
        }
    }

    @Test("a body that keeps coming, slowly, is read to the end: the timeout counts stalls, not total time")
    func slowButSteadyBody() async throws {
        let metrics = APIMetrics()
        try await TestApp.run(environment: try environment(["HTTP_BODY_TIMEOUT": "3"]), metrics: metrics) {
            client, _, _ in
            let connection = try await RawHTTPConnection.connect(port: try #require(client.port))
            let body = "CallSid=CA12"
            try await connection.send(
                "POST /webhooks/twilio/\(UUID().uuidString.lowercased()) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            // Twelve bytes, one every half second: six seconds in all, twice the stall timeout, and
            // each gap a sixth of it.
            for character in body {
                try await connection.send(String(character))
                try await Task.sleep(for: .milliseconds(500))
            }
            let response = await connection.response(timeout: .seconds(30))
            #expect(response != nil)
            #expect(!connection.isClosed)
            #expect(closes(metrics, "body_timeout") == 0)
            await connection.close()
        }
    }

    @Test("an idle keep-alive connection is closed after HTTP_IDLE_TIMEOUT")
    func idleKeepAlive() async throws {
        let metrics = APIMetrics()
        try await TestApp.run(environment: try environment(["HTTP_IDLE_TIMEOUT": "2"]), metrics: metrics) {
            client, _, _ in
            let connection = try await RawHTTPConnection.connect(port: try #require(client.port))
            try await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await connection.response(timeout: .seconds(30))?.status == 200)
            // Closed 2.0 s after the response here; the deadline only fails a server that keeps it.
            #expect(await connection.waitForClose(timeout: .seconds(60)))
            #expect(closes(metrics, "idle_timeout") == 1)
            await connection.close()
        }
    }

    @Test(
        "on a keep-alive connection, the idle wait is not the header timeout: a later head is timed from its first byte"
    )
    func laterHeadTimedFromFirstByte() async throws {
        let metrics = APIMetrics()
        let environment = try environment(["HTTP_HEADER_TIMEOUT": "2", "HTTP_IDLE_TIMEOUT": "600"])
        try await TestApp.run(environment: environment, metrics: metrics) { client, _, _ in
            let connection = try await RawHTTPConnection.connect(port: try #require(client.port))
            try await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await connection.response(timeout: .seconds(30))?.status == 200)
            // Idle for two header timeouts as the server itself counts them (far inside the idle
            // timeout): each control connection starts a head after the idle wait began and is
            // closed by the header timeout, one after the other. A server that timed the idle
            // wait as a head would have closed the idle connection before the first of them.
            for _ in 0..<2 {
                let control = try await RawHTTPConnection.connect(port: try #require(client.port))
                try await control.send("GET /health HTTP/1.1\r\n")
                #expect(await control.waitForClose(timeout: .seconds(60)))
                #expect(control.receivedText.isEmpty)
                await control.close()
            }
            #expect(closes(metrics, "header_timeout") >= 2)
            #expect(!connection.isClosed)
            try await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(
                await eventually(timeout: .seconds(30)) {
                    connection.receivedText.components(separatedBy: "HTTP/1.1 200").count == 3
                })
            // A third head that trickles is closed by the header timeout, long before the idle one.
            let trickle = Task {
                for character in "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: "
                    + String(repeating: "a", count: 200)
                {
                    if connection.isClosed { return }
                    try? await connection.send(String(character))
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            #expect(await connection.waitForClose(timeout: .seconds(60)))
            trickle.cancel()
            // The two controls and this head (the test client's own unused connection may time
            // out on its head too).
            #expect(closes(metrics, "header_timeout") >= 3)
            #expect(closes(metrics, "idle_timeout") == 0)
            await connection.close()
        }
    }

    @Test("a request head over the header cap gets 431 and the connection is closed; one under it is served")
    func oversizedHead() async throws {
        let metrics = APIMetrics()
        try await TestApp.run(environment: try environment(), metrics: metrics) { client, _, _ in
            let port = try #require(client.port)
            let large = try await RawHTTPConnection.connect(port: port)
            let big = try await large.get("/health", headers: ["X-Big": String(repeating: "b", count: 40 * 1024)])
            #expect(big?.status == 431)
            #expect(await large.waitForClose(timeout: .seconds(30)))
            await large.close()

            let many = try await RawHTTPConnection.connect(port: port)
            var fields: [String: String] = [:]
            for index in 0..<150 { fields["X-Field-\(index)"] = "v" }
            #expect(try await many.get("/health", headers: fields)?.status == 431)
            #expect(await many.waitForClose(timeout: .seconds(30)))
            await many.close()

            let fine = try await RawHTTPConnection.connect(port: port)
            let served = try await fine.get("/health", headers: ["X-Big": String(repeating: "b", count: 20 * 1024)])
            #expect(served?.status == 200)
            await fine.close()
            #expect(closes(metrics, "header_too_large") == 2)
        }
    }

    @Test("the connection limits come from HTTP_* variables, validated, with the documented defaults")
    func limitsConfiguration() throws {
        let defaults = try TestApp.configuration(try environment()).http.connectionLimits
        #expect(defaults == .standard)
        #expect(defaults.headerTimeout == .seconds(10))
        #expect(defaults.bodyTimeout == .seconds(30))
        #expect(defaults.idleTimeout == .seconds(75))
        #expect(defaults.maxHeaderBytes == 32 * 1024)
        let set = try TestApp.configuration(
            try environment([
                "HTTP_HEADER_TIMEOUT": "5", "HTTP_BODY_TIMEOUT": "7", "HTTP_IDLE_TIMEOUT": "90",
                "HTTP_MAX_HEADER_BYTES": "16384",
            ])
        ).http.connectionLimits
        #expect(set.headerTimeout == .seconds(5) && set.bodyTimeout == .seconds(7) && set.idleTimeout == .seconds(90))
        #expect(set.maxHeaderBytes == 16384)
        #expect {
            try TestApp.configuration(
                try environment([
                    "HTTP_HEADER_TIMEOUT": "0", "HTTP_BODY_TIMEOUT": "x", "HTTP_IDLE_TIMEOUT": "99999",
                    "HTTP_MAX_HEADER_BYTES": "100",
                ]))
        } throws: { error in
            let text = "\(error)"
            return ["HTTP_HEADER_TIMEOUT", "HTTP_BODY_TIMEOUT", "HTTP_IDLE_TIMEOUT", "HTTP_MAX_HEADER_BYTES"].allSatisfy
            {
                text.contains($0)
            }
        }
    }
}
