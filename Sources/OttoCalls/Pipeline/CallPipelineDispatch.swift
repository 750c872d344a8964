/// Starts a begun call-analysis run: webhook processing calls it after the commit that attached
/// a recording and began the workflow (or, for a tenant's reprocess, began the next run from a
/// named step). The composition implements it with the workflow engine
/// (``EngineCallPipelineDispatch``); without one, the run stays queued in PostgreSQL for the
/// workflow sweep.
public protocol CallPipelineDispatch: Sendable {
    /// Enqueues (or admits) `step` of run `run` of the call's `call_analysis` workflow, with the
    /// step's input `inputJSON` (`{"recording_id": "<uuid>"}` for the first step; the previous
    /// step's stored output otherwise).
    func dispatch(tenantID: String, callID: String, run: Int, step: String, inputJSON: String) async throws
}
