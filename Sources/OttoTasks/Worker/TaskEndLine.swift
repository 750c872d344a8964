import Logging
import OttoSupport

/// The one log line that ends every attempt of a task, wherever it ran (worker or API process).
/// DESIGN.md's operator interface fixes its keys; dashboards and the fault drills parse it.
enum TaskEndLine {
    static func log(
        _ logger: Logger, name: String, queue: String, envelope: TaskEnvelope?, outcome: TaskOutcome, seconds: Double,
        error: String?, extra: Logger.Metadata = [:]
    ) {
        var metadata: Logger.Metadata = [
            "task_id": .string(envelope?.id ?? "unknown"),
            "task_name": .string(name),
            "queue": .string(queue),
            "attempt": .stringConvertible(envelope?.attempt ?? 0),
            "outcome": .string(outcome.rawValue),
            "duration_ms": .stringConvertible((seconds * 1_000_000).rounded() / 1000),
            "trace_id": .string(envelope?.traceID ?? ""),
        ]
        if let due = envelope?.dueAt {
            // How long the task waited between becoming due and starting (queue latency).
            let startedAt = UnixTime.now() - seconds
            metadata["wait_ms"] = .stringConvertible((max(0, startedAt - due) * 1_000_000).rounded() / 1000)
        }
        if let key = envelope?.dedupKey { metadata["dedup_key"] = .string(key) }
        if let tenant = envelope?.tenantID { metadata["tenant_id"] = .string(tenant) }
        if let error { metadata["error"] = .string(error) }
        metadata.merge(extra) { _, new in new }
        if outcome == .succeeded || outcome == .retrying {
            logger.info("task finished", metadata: metadata)
        } else {
            logger.warning("task finished", metadata: metadata)
        }
    }
}
