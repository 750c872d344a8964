/// One step of one run of one workflow: what a step's task carries and the journal records.
public struct WorkflowStepRef: Sendable, Hashable, Codable {
    /// The workflow's name (`call_analysis`).
    public var workflow: String
    /// The subject's id: there is one workflow per (tenant, name, subject); for calls, the call id.
    public var subjectID: String
    /// 1 for the first run; each restart (a reprocess) starts the next.
    public var run: Int
    /// The step's name (`transcribe`).
    public var step: String
    public var tenantID: String?

    public init(workflow: String, subjectID: String, run: Int, step: String, tenantID: String?) {
        self.workflow = workflow
        self.subjectID = subjectID
        self.run = run
        self.step = step
        self.tenantID = tenantID
    }

    enum CodingKeys: String, CodingKey {
        case workflow, run, step
        case subjectID = "subject_id"
        case tenantID = "tenant_id"
    }
}
