import Foundation
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Body limit while streaming")
struct BodyLimitStreamingTests {
    @Test("a chunked body over MAX_BODY_BYTES, sent in many writes and never finished, is answered 413")
    func chunkedBodyLimitWhileStreaming() async throws {
        var environment = try TestApp.guardedEnvironment("bodystream")
        environment["MAX_BODY_BYTES"] = "1000"
        let head = try await TestApp.run(environment: environment) { client, _, _ in
            let port = try #require(client.port)
            let channel = try await RawHTTP.connect(port: port)
            // The deadline only fails a server that waits for the rest of the body.
            return try await withDeadline(.seconds(30)) {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(
                        ByteBuffer(
                            string: "POST /v1/me HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n"))
                    // 1,100 bytes in 22 chunks of 50, each its own write, and never the last chunk:
                    // only a server that enforces the limit while the body streams can answer, one
                    // that collects the body first waits for its end forever.
                    for _ in 0..<22 {
                        try await outbound.write(
                            ByteBuffer(string: "32\r\n" + String(repeating: "a", count: 50) + "\r\n"))
                    }
                    var text = ""
                    for try await part in inbound {
                        text += String(buffer: part)
                        if text.contains("\r\n\r\n") { break }
                    }
                    return text
                }
            }
        }
        #expect(head.hasPrefix("HTTP/1.1 413"), "\(head)")
        #expect(head.lowercased().contains("content-type: application/problem+json"))
    }
}
