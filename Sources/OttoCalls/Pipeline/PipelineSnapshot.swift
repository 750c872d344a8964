import OttoTasks

/// The call pipeline at one moment, as `otto-worker inspect` shows it: its workflows (from
/// PostgreSQL, the source of truth), each tenant's share of the queue (fair admission, from
/// Redis) and each provider's limit in use.
public struct PipelineSnapshot: Sendable, Equatable, Codable {
    /// Nil when the tools have no `DATABASE_URL` or PostgreSQL did not answer.
    public var workflows: WorkflowOverview?
    /// Why `workflows` is nil.
    public var workflowsProblem: String?
    /// Tenants with workflows admitted or waiting, by tenant id.
    public var backlogs: [TenantBacklog]
    /// Deepgram, OpenAI and recording media, in that order.
    public var limits: [OutboundLimitSnapshot]

    public init(
        workflows: WorkflowOverview?, workflowsProblem: String? = nil, backlogs: [TenantBacklog],
        limits: [OutboundLimitSnapshot]
    ) {
        self.workflows = workflows
        self.workflowsProblem = workflowsProblem
        self.backlogs = backlogs
        self.limits = limits
    }

    /// `workflows` is written as null when absent (one shape for every reader).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(workflows, forKey: .workflows)
        try container.encodeIfPresent(workflowsProblem, forKey: .workflowsProblem)
        try container.encode(backlogs, forKey: .backlogs)
        try container.encode(limits, forKey: .limits)
    }

    enum CodingKeys: String, CodingKey {
        case workflows
        case workflowsProblem = "workflows_problem"
        case backlogs, limits
    }
}
