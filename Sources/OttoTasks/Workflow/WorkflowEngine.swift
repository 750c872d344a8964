import OttoSupport

/// Starts, dispatches and resumes registered workflows: the journal says where a workflow is,
/// the admission puts its step's task on the queue.
public struct WorkflowEngine: Sendable {
    let runtime: WorkflowRuntime
    let workflows: [String: WorkflowDescriptor]
    let registry: TaskRegistry

    /// `registry` gives each step's attempts and time limit (the one the workflows are registered in).
    public init(runtime: WorkflowRuntime, workflows: [WorkflowDescriptor], registry: TaskRegistry) {
        self.runtime = runtime
        self.workflows = Dictionary(workflows.map { ($0.name, $0) }) { first, _ in first }
        self.registry = registry
    }

    /// journal.begin, then the start step's task through admission.submit. fromStep nil = first step;
    /// a later step starts from the stored output of the step before it (WorkflowError.missingInput if none).
    public func start<I, O>(
        _ workflow: Workflow<I, O>, subjectID: String, tenantID: String?, input: I, fromStep: String? = nil,
        traceparent: String? = nil
    ) async throws -> WorkflowStepRef {
        let inputJSON = try TaskJSON.encode(input)
        return try await start(
            workflow.descriptor, subjectID: subjectID, tenantID: tenantID, inputJSON: inputJSON, fromStep: fromStep,
            traceparent: traceparent)
    }

    /// Same by name with JSON input (for the API's reprocess, which knows the workflow by name).
    /// Without `inputJSON`, a start from the first step uses the input the workflow was first
    /// started with.
    public func start(
        workflow: String, subjectID: String, tenantID: String?, inputJSON: String?, fromStep: String?,
        traceparent: String?
    ) async throws -> WorkflowStepRef {
        guard let descriptor = workflows[workflow] else { throw WorkflowError(.unknownWorkflow, detail: workflow) }
        return try await start(
            descriptor, subjectID: subjectID, tenantID: tenantID, inputJSON: inputJSON, fromStep: fromStep,
            traceparent: traceparent)
    }

    private func start(
        _ descriptor: WorkflowDescriptor, subjectID: String, tenantID: String?, inputJSON: String?,
        fromStep: String?, traceparent: String?
    ) async throws -> WorkflowStepRef {
        let journal = runtime.journal
        guard let first = descriptor.stepNames.first else { throw WorkflowError(.unknownStep, detail: "no steps") }
        let step = fromStep ?? first
        guard descriptor.stepNames.contains(step) else {
            throw WorkflowError(.unknownStep, detail: "\(descriptor.name) has no step \(step)")
        }
        let input: String
        if let previous = descriptor.step(before: step) {
            // Checked before the run begins, so a refused restart leaves the workflow as it was.
            guard
                let output = try await journal.output(
                    workflow: descriptor.name, subjectID: subjectID, tenantID: tenantID, step: previous)
            else { throw WorkflowError(.missingInput, detail: "\(previous) of \(descriptor.name) has no output") }
            input = output
        } else if let inputJSON {
            input = inputJSON
        } else if let stored = try await journal.input(
            workflow: descriptor.name, subjectID: subjectID, tenantID: tenantID)
        {
            input = stored
        } else {
            throw WorkflowError(.missingInput, detail: "\(descriptor.name) was never started with an input")
        }
        let run = try await journal.begin(
            workflow: descriptor.name, subjectID: subjectID, tenantID: tenantID, steps: descriptor.stepNames,
            fromStep: step, inputJSON: step == first ? input : nil)
        let ref = WorkflowStepRef(
            workflow: descriptor.name, subjectID: subjectID, run: run, step: step, tenantID: tenantID)
        try await dispatch(ref, inputJSON: input, traceparent: traceparent)
        return ref
    }

    /// Enqueues the task of `ref` with `inputJSON` through admission.submit (for a workflow begun
    /// inside another transaction, e.g. when a recording is stored).
    public func dispatch(_ ref: WorkflowStepRef, inputJSON: String, traceparent: String?) async throws {
        try await dispatch(ref, inputJSON: inputJSON, traceparent: traceparent, dedupSuffix: "")
    }

    private func dispatch(_ ref: WorkflowStepRef, inputJSON: String, traceparent: String?, dedupSuffix: String)
        async throws
    {
        guard let descriptor = workflows[ref.workflow] else {
            throw WorkflowError(.unknownWorkflow, detail: ref.workflow)
        }
        guard descriptor.stepNames.contains(ref.step) else {
            throw WorkflowError(.unknownStep, detail: "\(descriptor.name) has no step \(ref.step)")
        }
        let entry = registry.entry(named: descriptor.taskName(ref.step))
        let envelope = try WorkflowRuntime.envelope(
            descriptor, ref: ref, inputJSON: inputJSON, traceparent: traceparent,
            maxAttempts: entry?.maxAttempts ?? RetryPolicy().maxAttempts, timeLimit: entry?.timeLimit ?? .seconds(300),
            dedupSuffix: dedupSuffix)
        try await runtime.admission.submit(
            envelope, tenant: admissionTenant(ref.tenantID), holder: descriptor.holder(subjectID: ref.subjectID))
    }

    /// For the no-loss sweep: reads the journal; for a queued/running workflow, re-enqueues its first
    /// unfinished step of the current run (fresh dedup key); nil when there is nothing to do.
    public func resume(workflow: String, subjectID: String, tenantID: String?) async throws -> WorkflowStepRef? {
        guard let descriptor = workflows[workflow] else { throw WorkflowError(.unknownWorkflow, detail: workflow) }
        let journal = runtime.journal
        guard let status = try await journal.status(workflow: workflow, subjectID: subjectID, tenantID: tenantID),
            status.state == .queued || status.state == .running,
            let step = status.steps.first(where: { $0.state != .succeeded })
        else { return nil }
        let input: String?
        if let previous = descriptor.step(before: step.name) {
            input = try await journal.output(
                workflow: workflow, subjectID: subjectID, tenantID: tenantID, step: previous)
        } else {
            input = try await journal.input(workflow: workflow, subjectID: subjectID, tenantID: tenantID)
        }
        guard let input else {
            throw WorkflowError(.missingInput, detail: "\(step.name) of \(workflow) has no input to resume from")
        }
        let ref = WorkflowStepRef(
            workflow: workflow, subjectID: subjectID, run: status.run, step: step.name, tenantID: tenantID)
        try await dispatch(
            ref, inputJSON: input, traceparent: nil, dedupSuffix: ":resume:\(UnixTime.nowMilliseconds())")
        return ref
    }
}
