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

    @Test("non-finite doubles are strings, nested arrays and dictionaries are JSON, reserved keys stay the handler's")
    func structuredValues() throws {
        let object = try Self.line(
            message: "m",
            metadata: [
                "ratio": .stringConvertible(Double.infinity), "missing": .stringConvertible(Double.nan),
                "ok": .stringConvertible(true), "list": .array(["a", .stringConvertible(2)]),
                "map": .dictionary(["z": "last", "a": .dictionary(["q\"": "x\ny"])]), "level": "forged",
                "message": "forged", "count": .stringConvertible(Int64(-7)),
            ])
        #expect(object["ratio"] as? String == "inf")
        #expect(object["missing"] as? String == "nan")
        #expect(object["ok"] as? Bool == true)
        #expect(object["count"] as? Int == -7)
        let list = try #require(object["list"] as? [Any])
        #expect(list.count == 2 && list[0] as? String == "a" && list[1] as? Int == 2)
        let map = try #require(object["map"] as? [String: Any])
        #expect(map["z"] as? String == "last")
        #expect((map["a"] as? [String: Any])?["q\""] as? String == "x\ny")
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == "m")
    }

    @Test("keys after the handler's four are in sorted order, and the timestamp is RFC 3339 UTC with milliseconds")
    func orderAndTimestamp() throws {
        let output = LogOutput.capturing()
        let logger = LoggingSetup.logger(label: "otto.tests.log", output: output)
        let before = Date().timeIntervalSince1970
        logger.info("m", metadata: ["zeta": "1", "alpha": "2", "mid": "3"])
        let after = Date().timeIntervalSince1970
        let line = try #require(output.capturedLines.first)
        let keys = ["\"timestamp\"", "\"level\"", "\"logger\"", "\"message\"", "\"alpha\"", "\"mid\"", "\"zeta\""]
        let offsets = try keys.map { key in try #require(line.range(of: key), "\(key) in \(line)").lowerBound }
        #expect(offsets == offsets.sorted(), "\(line)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let stamp = try #require(object["timestamp"] as? String)
        #expect(stamp.utf8.count == 24 && stamp.hasSuffix("Z"), "\(stamp)")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: stamp), "\(stamp)").timeIntervalSince1970
        #expect(parsed >= (before * 1000).rounded(.down) / 1000 && parsed <= after, "\(stamp)")
    }

    @Test(
        "whole-second timestamps match Foundation's formatter",
        arguments: [0.0, 951_782_400, 1_798_761_599, 1_764_431_046.9, 4_102_444_800, 253_402_300_799])
    func rfc3339(_ seconds: Double) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let expected = formatter.string(from: Date(timeIntervalSince1970: seconds.rounded(.down)))
        #expect(LogTimestamp.rfc3339(seconds) == expected)
    }

    /// A value whose description is whatever the test says.
    struct Described: CustomStringConvertible, Sendable {
        var description: String
    }

    @Test(
        "a value is bare JSON exactly when its description is a JSON number or boolean",
        arguments: [
            ("0", true), ("-12", true), ("1.5", true), ("1e-07", true), ("2.5E+10", true), ("-0.0", true),
            ("true", true), ("false", true), ("01", false), ("1.", false), (".5", false), ("+1", false),
            ("1e", false), ("-", false), ("", false), ("0x1F", false), ("inf", false), ("nan", false),
            ("12ab", false), ("True", false),
        ])
    func bareNumbers(_ description: String, bare: Bool) throws {
        let output = LogOutput.capturing()
        LoggingSetup.logger(label: "otto.tests.log", output: output)
            .info("m", metadata: ["value": .stringConvertible(Described(description: description))])
        let line = try #require(output.capturedLines.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        if bare {
            #expect(line.contains("\"value\":\(description)}"), "\(line)")
            #expect(!(object["value"] is String), "\(line)")
        } else {
            #expect(object["value"] as? String == description, "\(line)")
        }
    }
}
