import Foundation
import OttoTasks

/// The task-end lines ("task finished") that a worker or otto-api printed, read for what they
/// prove: a run that succeeded, or a run that was going on at a given moment. A tally kept by the
/// task itself counts a run when it starts; only these lines say that it ended, and how.
public enum TaskEnds {
    /// One ended run: its task id, outcome, and when it started and ended (unix seconds; the start
    /// is the line's timestamp less its `duration_ms`).
    public struct Run: Sendable {
        public let taskID: String
        public let outcome: String
        public let start: Double
        public let end: Double
    }

    static let endMessage = "\"message\":\"task finished\""

    /// How many succeeded end lines each task id has (a cheap scan, fit for polling a long output).
    public static func succeeded(_ output: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in output.split(separator: "\n")
        where line.contains(endMessage) && line.contains("\"outcome\":\"succeeded\"") {
            if let id = field(line, "task_id") { counts[id, default: 0] += 1 }
        }
        return counts
    }

    /// The task ids with an end line of any outcome.
    public static func ended(_ output: String) -> Set<String> {
        Set(output.split(separator: "\n").filter { $0.contains(endMessage) }.compactMap { field($0, "task_id") })
    }

    /// Every ended run, in the order of the output.
    public static func runs(_ output: String) -> [Run] {
        let formatter = timestampFormatter()
        return LogLines.parse(output).compactMap { line in
            guard line["message"] as? String == "task finished", let id = line["task_id"] as? String,
                let outcome = line["outcome"] as? String, let stamp = line["timestamp"] as? String,
                let end = formatter.date(from: stamp)?.timeIntervalSince1970,
                let milliseconds = (line["duration_ms"] as? NSNumber)?.doubleValue
            else { return nil }
            return Run(taskID: id, outcome: outcome, start: end - milliseconds / 1000, end: end)
        }
    }

    /// The runs going on at `moment` (unix seconds): started before it, ended after it.
    public static func runs(_ output: String, spanning moment: Double) -> [Run] {
        runs(output).filter { $0.start <= moment && $0.end >= moment }
    }

    /// A log line's RFC 3339 timestamp with milliseconds, as unix seconds.
    public static func parseTimestamp(_ text: String) -> Double? {
        timestampFormatter().date(from: text)?.timeIntervalSince1970
    }

    static func timestampFormatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }

    /// The string value of `"name":"…"` in one JSON log line, without parsing the line.
    static func field(_ line: Substring, _ name: String) -> String? {
        guard let range = line.range(of: "\"\(name)\":\"") else { return nil }
        let rest = line[range.upperBound...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }
}
