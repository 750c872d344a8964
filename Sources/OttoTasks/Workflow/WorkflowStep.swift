/// One step of a workflow: typed input in, typed output out; the output is the next step's
/// input. Each step runs as its own task (`<workflow>.<step>`) with its own retry policy and
/// time limit, at least once: make it idempotent (store results keyed by subject and step).
public protocol WorkflowStep: Sendable {
    associatedtype Input: Codable & Sendable
    associatedtype Output: Codable & Sendable

    /// The step's stable name inside its workflow (`transcribe`); never rename a shipped one.
    static var name: String { get }
    /// How the step's failures are retried (``TaskDeferral`` spends no attempt).
    static var retryPolicy: RetryPolicy { get }
    /// How long one run may take.
    static var timeLimit: Duration { get }

    func run(_ input: Input, context: WorkflowContext) async throws -> Output
}

extension WorkflowStep {
    public static var retryPolicy: RetryPolicy { RetryPolicy() }
    public static var timeLimit: Duration { .seconds(300) }
}
