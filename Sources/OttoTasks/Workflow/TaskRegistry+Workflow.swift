extension TaskRegistry {
    /// Registers each step of `workflow` as the task `<workflow>.<step>`, with the step's retry
    /// policy and time limit, journaled and admitted through `runtime`.
    public mutating func register<I, O>(_ workflow: Workflow<I, O>, runtime: WorkflowRuntime) {
        let descriptor = workflow.descriptor
        for (index, step) in workflow.steps.enumerated() {
            let task = WorkflowStepTask(descriptor: descriptor, steps: workflow.steps, index: index, runtime: runtime)
            register(entry: Self.entry(descriptor, step), run: { try await task.run($0, context: $1) })
        }
    }

    /// Registers the steps of a workflow this process cannot run: their tasks keep their
    /// defaults for whoever enqueues them, and a delivery is dead-lettered with `reason`.
    public mutating func register<I, O>(_ workflow: Workflow<I, O>, unavailable reason: String) {
        let descriptor = workflow.descriptor
        for step in workflow.steps {
            register(entry: Self.entry(descriptor, step), run: nil, unavailable: reason)
        }
    }

    private static func entry(_ descriptor: WorkflowDescriptor, _ step: WorkflowStepEntry) -> Entry {
        Entry(
            name: descriptor.taskName(step.name), defaultQueue: descriptor.queue,
            maxAttempts: step.retryPolicy.maxAttempts, timeLimit: step.timeLimit,
            retryBaseDelay: step.retryPolicy.baseDelay, retryPolicy: step.retryPolicy, run: nil)
    }
}
