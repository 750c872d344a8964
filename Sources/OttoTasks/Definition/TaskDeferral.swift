/// Thrown by a task whose work cannot run now for a reason outside it (a provider's 429 or
/// outage, no free permit of a shared outbound limit, no free slot of its tenant): the worker
/// reschedules it after `delay` without counting an attempt, so a provider's own outage never
/// spends the task's retries. A task deferred for longer than the worker's deferral span since
/// its first deferral fails its attempt instead, so nothing is deferred forever.
public struct TaskDeferral: Error, Sendable, Equatable, CustomStringConvertible {
    public var delay: Duration
    public var reason: String

    public init(delay: Duration, reason: String) {
        self.delay = delay
        self.reason = reason
    }

    public var description: String { "deferred for \(delay): \(reason)" }
}
