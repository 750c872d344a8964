import Foundation
import OttoTasks

/// JSON log lines printed by a child process, parsed.
public enum LogLines {
    public static func parse(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { line in
            guard let start = line.firstIndex(of: "{") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line[start...].utf8))) as? [String: Any]
        }
    }

    /// How many lines contain every one of `fragments` (a cheap count for polling a long
    /// output, where parsing every line as JSON many times a second would load the machine).
    public static func count(_ output: String, containing fragments: [String]) -> Int {
        output.split(separator: "\n").count { line in fragments.allSatisfy { line.contains($0) } }
    }

    /// The task-end lines of one task id, in order.
    public static func taskEnds(_ output: String, taskID: String) -> [[String: Any]] {
        parse(output).filter { $0["message"] as? String == "task finished" && $0["task_id"] as? String == taskID }
    }
}
