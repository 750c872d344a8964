/// Starts a begun call-analysis run's first step: webhook processing calls it after the commit
/// that attached a recording and began the workflow. The composition implements it with the
/// workflow engine; without one, the run stays queued in PostgreSQL for the workflow sweep.
public protocol CallPipelineDispatch: Sendable {
    /// Enqueues (or admits) run `run` of the call's `call_analysis` workflow, whose input is
    /// `inputJSON` (`{"recording_id": "<uuid>"}`).
    func dispatch(tenantID: String, callID: String, run: Int, inputJSON: String) async throws
}
