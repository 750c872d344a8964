import Logging

/// What a running step gets: which step of which run it is, and its task's context.
public struct WorkflowContext: Sendable {
    public var ref: WorkflowStepRef
    public var task: TaskContext
    /// The task's logger with `workflow`, `subject_id`, `run` and `step` added.
    public var logger: Logger

    public var attempt: Int { task.attempt }
    public var deferrals: Int { task.deferrals }

    public init(ref: WorkflowStepRef, task: TaskContext) {
        self.ref = ref
        self.task = task
        var logger = task.logger
        logger[metadataKey: "workflow"] = .string(ref.workflow)
        logger[metadataKey: "subject_id"] = .string(ref.subjectID)
        logger[metadataKey: "run"] = .stringConvertible(ref.run)
        logger[metadataKey: "step"] = .string(ref.step)
        self.logger = logger
    }
}
