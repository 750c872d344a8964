import OttoTasks

/// A workflow that has made no progress for a while: queued or running, its `updated_at` older
/// than the sweep's threshold (its task may have been lost with Redis or its worker).
public struct OverdueWorkflow: Sendable, Equatable {
    public var tenantID: String
    public var workflow: String
    public var subjectID: String
    /// Its current run, so the sweep re-enqueues a step of that run (an older run's task is ignored).
    public var run: Int
    public var state: WorkflowStatus.State
    /// Unix seconds.
    public var updatedAt: Double

    public init(
        tenantID: String, workflow: String, subjectID: String, run: Int, state: WorkflowStatus.State,
        updatedAt: Double
    ) {
        self.tenantID = tenantID
        self.workflow = workflow
        self.subjectID = subjectID
        self.run = run
        self.state = state
        self.updatedAt = updatedAt
    }
}
