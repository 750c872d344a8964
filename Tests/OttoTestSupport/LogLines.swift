import Foundation

/// JSON log lines printed by a child process, parsed.
public enum LogLines {
    public static func parse(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { line in
            guard let start = line.firstIndex(of: "{") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line[start...].utf8))) as? [String: Any]
        }
    }

    /// The task-end lines of one task id, in order.
    public static func taskEnds(_ output: String, taskID: String) -> [[String: Any]] {
        parse(output).filter { $0["message"] as? String == "task finished" && $0["task_id"] as? String == taskID }
    }
}
