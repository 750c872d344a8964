import OttoTasks

/// A call's analysis workflow as `GET /v1/calls/{id}` carries it (the `workflow` of a ``Call``):
/// the task system's ``WorkflowStatus`` with its times as date-time strings, like the call's own.
public struct CallWorkflow: Codable, Sendable, Hashable {
    /// One step, in the workflow's order.
    public struct Step: Codable, Sendable, Hashable {
        public var name: String
        public var state: WorkflowStatus.StepState
        public var attempts: Int
        public var error: String?
        public var deferredUntil: String?
        public var startedAt: String?
        public var finishedAt: String?

        enum CodingKeys: String, CodingKey {
            case name, state, attempts, error
            case deferredUntil = "deferred_until"
            case startedAt = "started_at"
            case finishedAt = "finished_at"
        }
    }

    public var run: Int
    public var state: WorkflowStatus.State
    public var steps: [Step]
    public var createdAt: String
    public var updatedAt: String

    /// `status` with each unix time written by `time` (the API's RFC 3339 writer).
    public init(_ status: WorkflowStatus, time: (Double) -> String) {
        run = status.run
        state = status.state
        steps = status.steps.map {
            Step(
                name: $0.name, state: $0.state, attempts: $0.attempts, error: $0.error,
                deferredUntil: $0.deferredUntil.map(time), startedAt: $0.startedAt.map(time),
                finishedAt: $0.finishedAt.map(time))
        }
        createdAt = time(status.createdAt)
        updatedAt = time(status.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case run, state, steps
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
