import OttoTasks

/// ``CallPipelineDispatch`` through the workflow engine: the step's task goes to its queue
/// through the engine's admission (per-tenant fair queueing in the worker).
public struct EngineCallPipelineDispatch: CallPipelineDispatch {
    let engine: WorkflowEngine

    public init(engine: WorkflowEngine) {
        self.engine = engine
    }

    public func dispatch(tenantID: String, callID: String, run: Int, step: String, inputJSON: String) async throws {
        try await engine.dispatch(
            WorkflowStepRef(
                workflow: CallPipelineWorkflow.name, subjectID: callID, run: run, step: step, tenantID: tenantID),
            inputJSON: inputJSON, traceparent: nil)
    }
}
