/// How a workflow's step tasks reach their queue. Without one, every step is added to the
/// queue's stream at once; ``FairAdmission`` holds each tenant to a number of workflows in the
/// stream at a time, so one tenant's backlog never delays another tenant's single call.
///
/// A workflow holds its slot from its first step's admission until it ends: its later steps
/// (and retries) go straight to the stream.
public protocol WorkflowAdmission: Sendable {
    /// A workflow's first step (or the step a restart resumes at): added to the stream when the
    /// tenant has a free slot, else kept in the tenant's backlog, in arrival order, until one frees.
    func submit(_ envelope: TaskEnvelope, tenant: String, holder: String) async throws
    /// The next step of an admitted workflow: straight to the stream; the slot stays held and its
    /// lease is renewed.
    func advance(_ envelope: TaskEnvelope, tenant: String, holder: String) async throws
    /// The workflow ended (succeeded, failed for good, or superseded): frees its slot and admits
    /// the tenant's next waiting workflow.
    func release(tenant: String, holder: String) async throws
}
