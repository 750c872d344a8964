import Foundation
import Logging
import OttoCore
import OttoProcessKit
import Testing

/// Every log line is one JSON object whose values read back as they were logged: plain text (the
/// fast path, appended whole), and text with quotes, backslashes, control characters and
/// non-ASCII (escaped); the handler's metadata and the event's are merged, the event's winning.
@Suite("JSON log lines")
struct JSONLogHandlerTests {
    static func line(
        handlerMetadata: Logger.Metadata = [:], message: String, metadata: Logger.Metadata
    ) throws -> [String: Any] {
        let output = LogOutput.capturing()
        var logger = Logger(label: "otto.tests.log") { label in JSONLogHandler(label: label, output: output) }
        for (key, value) in handlerMetadata { logger[metadataKey: key] = value }
        logger.info("\(message)", metadata: metadata)
        let lines = output.capturedLines
        #expect(lines.count == 1)
        let text = try #require(lines.first)
        #expect(text.hasSuffix("}\n") && !text.dropLast().contains("\n"), "one line: \(text)")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test(
        "strings read back exactly, escaped or not",
        arguments: [
            "plain ascii 123", "", "quote \" inside", "back\\slash", "new\nline\r\ttab", "nul \u{0} and \u{1f}",
            "ünïcödé ☎️ 電話", "\"\\\"", "trailing \\",
        ])
    func roundTrip(_ text: String) throws {
        let object = try Self.line(message: text, metadata: ["value": .string(text), "k\"ey": .string(text)])
        #expect(object["message"] as? String == text)
        #expect(object["value"] as? String == text)
        #expect(object["k\"ey"] as? String == text)
    }

    @Test("handler metadata and event metadata merge; the event's value wins; numbers stay numbers")
    func merging() throws {
        let object = try Self.line(
            handlerMetadata: ["worker_id": "w-1", "shared": "handler"], message: "task finished",
            metadata: ["shared": "event", "attempt": .stringConvertible(3), "duration_ms": .stringConvertible(1.5)])
        #expect(object["worker_id"] as? String == "w-1")
        #expect(object["shared"] as? String == "event")
        #expect(object["attempt"] as? Int == 3)
        #expect(object["duration_ms"] as? Double == 1.5)
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "otto.tests.log")
    }
}
