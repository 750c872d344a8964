/// How one attempt ended, as the task-end log line and the metrics name it.
public enum TaskOutcome: String, Sendable, Codable {
    /// `run` returned; the task is acknowledged.
    case succeeded
    /// The attempt failed and the next one is scheduled with backoff.
    case retrying
    /// The attempt failed and could not be rescheduled or was interrupted by shutdown; the entry
    /// stays pending and another worker claims it after the visibility timeout.
    case failed
    /// Moved to the dead-letter stream (attempts exhausted, unknown task, bad arguments).
    case dead
}
