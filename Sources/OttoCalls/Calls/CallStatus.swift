/// Call statuses and their precedence: a call only moves forward, so events may arrive in any
/// order (a late `ringing` never overwrites `completed`). Terminal statuses share the top rank:
/// the first terminal status recorded stays.
public enum CallStatus {
    /// The statuses in the order a call goes through them.
    public static let ranks: [String: Int] = [
        "queued": 1, "initiated": 2, "ringing": 3, "in-progress": 4,
        "completed": 5, "busy": 5, "failed": 5, "no-answer": 5, "canceled": 5,
    ]

    /// The status recorded before anything is known (a recording callback that came first).
    public static let unknown = "unknown"

    /// The rank of a status; unknown ones rank 0 and never overwrite anything.
    public static func rank(_ status: String) -> Int { ranks[status] ?? 0 }

    /// Whether a status is final.
    public static func isTerminal(_ status: String) -> Bool { rank(status) == 5 }

    /// The same ranking as a SQL expression over `column` (kept next to `ranks` so they agree).
    static func rankSQL(_ column: String) -> String {
        let cases = ranks.sorted { $0.key < $1.key }.map { "WHEN '\($0.key)' THEN \($0.value)" }.joined(separator: " ")
        return "(CASE \(column) \(cases) ELSE 0 END)"
    }
}
