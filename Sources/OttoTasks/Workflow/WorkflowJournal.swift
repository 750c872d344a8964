/// Where a workflow's state is kept. The product's pipeline keeps it in PostgreSQL (the source
/// of truth: a workflow whose task Redis lost is found there and re-enqueued); a workflow with
/// no database can keep it in Redis (``RedisWorkflowJournal``).
///
/// Every method is idempotent for the same arguments: a step's task runs at least once, so the
/// journal may hear the same event twice.
public protocol WorkflowJournal: Sendable {
    /// Starts the next run (1 when the workflow is new): `steps` from `fromStep` on become
    /// pending, earlier steps keep their state and output, the workflow becomes queued.
    /// Returns the new run's number. Throws ``WorkflowError`` when `fromStep` is not one of
    /// `steps`, or when the step before it has no stored output.
    func begin(
        workflow: String, subjectID: String, tenantID: String?, steps: [String], fromStep: String,
        inputJSON: String?
    ) async throws -> Int

    /// Before a step runs: false when `ref.run` is no longer the workflow's current run (a
    /// reprocess started another), or the step already succeeded in this run; the task then
    /// does nothing and does not continue the chain. Marks the step (and the workflow) running
    /// and counts the attempt.
    func stepStarted(_ ref: WorkflowStepRef, attempt: Int) async throws -> Bool

    /// The step's output (JSON text), stored for the next step (and a later `fromStep`); the
    /// workflow succeeds when `ref.step` is its last step.
    func stepSucceeded(_ ref: WorkflowStepRef, attempt: Int, outputJSON: String, isLast: Bool) async throws

    /// A failed attempt; `final` when it is not retried (the workflow then fails).
    func stepFailed(_ ref: WorkflowStepRef, attempt: Int, reason: String, final: Bool) async throws

    /// The step was deferred (no attempt spent) until `until` (unix seconds).
    func stepDeferred(_ ref: WorkflowStepRef, reason: String, until: Double) async throws

    /// The input the workflow was started with (its first step's input), or nil.
    func input(workflow: String, subjectID: String, tenantID: String?) async throws -> String?

    /// The stored output of a step in the workflow's current state, or nil.
    func output(workflow: String, subjectID: String, tenantID: String?, step: String) async throws -> String?

    /// The workflow's state, or nil when it was never started.
    func status(workflow: String, subjectID: String, tenantID: String?) async throws -> WorkflowStatus?
}

/// Why a workflow could not be started or continued.
public struct WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// `fromStep` is not a step of the workflow.
        case unknownStep = "unknown step"
        /// The step before `fromStep` has no stored output to start from.
        case missingInput = "missing input"
        /// No workflow of that name is registered.
        case unknownWorkflow = "unknown workflow"
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
